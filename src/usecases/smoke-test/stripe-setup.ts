/**
 * The Stripe side of the smoke test's customer: the catalog's prices found by lookup key, a test clock, a customer
 * on it, and a subscription paid with Stripe's `pm_card_visa` test card.
 *
 * Why not Checkout: a Checkout Session can only be completed by a person on Stripe's hosted page (the emulator has a
 * test helper for it, real test mode has none), so the smoke test subscribes directly with the items and metadata
 * our Checkout would give (src/usecases/start-checkout.ts: flat + metered + the setup fee; `org_id`, `plan_id`,
 * `billing_period`). The webhook pipeline is the same from there on.
 */
import type Stripe from 'stripe';
import { METER, priceLookupKey, SETUP_FEE, type CatalogPlan } from '../../domain/catalog.ts';
import type { SmokeTestPorts } from './types.ts';

export interface PlanPrices {
  monthly: string;
  metered: string;
  setupFee: string;
}

export async function findPlanPrices(
  ports: Pick<SmokeTestPorts, 'stripe'>,
  plan: CatalogPlan,
  setupFeePriceId: string | undefined,
): Promise<PlanPrices> {
  const keys = [priceLookupKey(plan.code, 'monthly'), priceLookupKey(plan.code, 'metered'), SETUP_FEE.lookupKey];
  const found = await ports.stripe.prices.list({ lookup_keys: keys, active: true, limit: keys.length });
  const byKey = (key: string) => found.data.find((p) => p.lookup_key === key)?.id;
  const [monthly, metered, setupFee] = [byKey(keys[0]!), byKey(keys[1]!), setupFeePriceId ?? byKey(keys[2]!)];
  if (!monthly || !metered || !setupFee)
    throw new Error(`Stripe has no active price for ${keys.filter((k) => !byKey(k)).join(', ')} (run doctor --fix)`);
  return { monthly, metered, setupFee };
}

export async function createClockedCustomer(
  ports: Pick<SmokeTestPorts, 'stripe'>,
  input: { name: string; email: string; orgId: string; startsAt: number },
): Promise<{ clockId: string; customerId: string }> {
  const clock = await ports.stripe.testHelpers.testClocks.create({ frozen_time: input.startsAt, name: input.name });
  const customer = await ports.stripe.customers.create({
    test_clock: clock.id,
    name: input.name,
    email: input.email,
    metadata: { org_id: input.orgId, smoke_test: 'true' },
  });
  return { clockId: clock.id, customerId: customer.id };
}

export async function subscribeWithTestCard(
  ports: Pick<SmokeTestPorts, 'stripe'>,
  input: { customerId: string; orgId: string; planId: string; prices: PlanPrices },
): Promise<Stripe.Subscription> {
  // Attaching a test token gives the customer a card of its own (docs.stripe.com/testing#cards).
  const card = await ports.stripe.paymentMethods.attach('pm_card_visa', { customer: input.customerId });
  return ports.stripe.subscriptions.create({
    customer: input.customerId,
    items: [{ price: input.prices.monthly }, { price: input.prices.metered }],
    add_invoice_items: [{ price: input.prices.setupFee }],
    default_payment_method: card.id,
    metadata: { org_id: input.orgId, plan_id: input.planId, billing_period: 'monthly', smoke_test: 'true' },
  });
}

/** The meter's summed minutes for the customer over [start, end), both widened to whole minutes as Stripe requires. */
export async function meteredMinutes(
  ports: Pick<SmokeTestPorts, 'stripe'>,
  customerId: string,
  start: number,
  end: number,
): Promise<number> {
  const meters = await ports.stripe.billing.meters.list({ status: 'active', limit: 100 });
  const meter = meters.data.find((m) => m.event_name === METER.eventName);
  if (!meter) throw new Error(`no active Stripe meter ${METER.eventName} (run doctor --fix)`);
  const summaries = await ports.stripe.billing.meters.listEventSummaries(meter.id, {
    customer: customerId,
    start_time: Math.floor(start / 60) * 60,
    end_time: Math.ceil(end / 60) * 60,
  });
  return summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
}
