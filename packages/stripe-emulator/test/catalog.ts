/** The AiSyst catalog as `catalog sync` creates it: a meter, plan products, flat, metered (graduated) and setup prices. */
import type Stripe from 'stripe';

export interface TestCatalog {
  meter: Stripe.Billing.Meter;
  starterMonthly: Stripe.Price;
  starterYearly: Stripe.Price;
  starterMetered: Stripe.Price;
  setupFee: Stripe.Price;
}

export async function createCatalog(stripe: Stripe): Promise<TestCatalog> {
  const meter = await stripe.billing.meters.create({
    display_name: 'Voice Call Minutes',
    event_name: 'voice_call_minutes',
    default_aggregation: { formula: 'sum' },
    customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
    value_settings: { event_payload_key: 'value' },
  });
  const starter = await stripe.products.create({ name: 'AiSyst Starter', metadata: { plan: 'starter' } });
  const starterMonthly = await stripe.prices.create({
    product: starter.id,
    currency: 'eur',
    unit_amount: 20_400,
    recurring: { interval: 'month' },
    lookup_key: 'aisyst_starter_monthly',
  });
  const starterYearly = await stripe.prices.create({
    product: starter.id,
    currency: 'eur',
    unit_amount: 220_320,
    recurring: { interval: 'year' },
    lookup_key: 'aisyst_starter_yearly',
  });
  const overage = await stripe.products.create({ name: 'AiSyst Starter voice minutes' });
  const starterMetered = await stripe.prices.create({
    product: overage.id,
    currency: 'eur',
    billing_scheme: 'tiered',
    tiers_mode: 'graduated',
    tiers: [
      { up_to: 500, unit_amount: 0 },
      { up_to: 'inf', unit_amount: 50 },
    ],
    recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    lookup_key: 'aisyst_starter_metered',
  });
  const setup = await stripe.products.create({ name: 'AiSyst Setup Fee' });
  const setupFee = await stripe.prices.create({
    product: setup.id,
    currency: 'eur',
    unit_amount: 24_900,
    lookup_key: 'aisyst_setup_fee',
  });
  return { meter, starterMonthly, starterYearly, starterMetered, setupFee };
}
