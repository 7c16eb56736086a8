import { describe, expect, it } from 'vitest';
import { useHarnessWithCatalog } from './harness.ts';

describe('a catalog with a meter and a graduated metered price', () => {
  const { h, catalog } = useHarnessWithCatalog();

  it('creates the meter with Stripe ids and shapes', async () => {
    expect(catalog.meter.id).toMatch(/^mtr_/);
    expect(catalog.meter).toMatchObject({
      object: 'billing.meter',
      event_name: 'voice_call_minutes',
      status: 'active',
      livemode: false,
      default_aggregation: { formula: 'sum' },
    });
    const listed = await h.stripe.billing.meters.list();
    expect(listed.data.map((m) => m.id)).toEqual([catalog.meter.id]);
    expect((await h.stripe.billing.meters.retrieve(catalog.meter.id)).display_name).toBe('Voice Call Minutes');
  });

  it('keeps the metered price tiered and graduated, tiers only when expanded', async () => {
    expect(catalog.starterMetered).toMatchObject({
      object: 'price',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      type: 'recurring',
      recurring: { interval: 'month', usage_type: 'metered', meter: catalog.meter.id },
    });
    expect(catalog.starterMetered.tiers).toBeUndefined();
    const expanded = await h.stripe.prices.retrieve(catalog.starterMetered.id, { expand: ['tiers'] });
    expect(
      expanded.tiers?.map((t) => ({ up_to: t.up_to, unit_amount: t.unit_amount, flat_amount: t.flat_amount })),
    ).toEqual([
      { up_to: 500, unit_amount: 0, flat_amount: null },
      { up_to: null, unit_amount: 50, flat_amount: null },
    ]);
  });

  it('finds prices by lookup key, with tiers expanded on the list', async () => {
    const found = await h.stripe.prices.list({
      lookup_keys: ['aisyst_starter_metered', 'aisyst_setup_fee'],
      expand: ['data.tiers'],
    });
    expect(found.data.map((p) => p.lookup_key).sort()).toEqual(['aisyst_setup_fee', 'aisyst_starter_metered']);
    expect(found.data.find((p) => p.lookup_key === 'aisyst_starter_metered')?.tiers).toHaveLength(2);
    expect(found.data.find((p) => p.lookup_key === 'aisyst_setup_fee')).toMatchObject({
      type: 'one_time',
      unit_amount: 24_900,
      recurring: null,
    });
  });

  it('refuses a metered price without a meter, and a second price with the same lookup key', async () => {
    await expect(
      h.stripe.prices.create({
        currency: 'eur',
        product: catalog.starterMonthly.product as string,
        unit_amount: 1,
        recurring: { interval: 'month', usage_type: 'metered' },
      }),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'recurring[meter]',
    });
    await expect(
      h.stripe.prices.create({
        currency: 'eur',
        product: catalog.starterMonthly.product as string,
        unit_amount: 1,
        lookup_key: 'aisyst_setup_fee',
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'lookup_key' });
  });

  it('moves a lookup key to a new price with transfer_lookup_key', async () => {
    const replacement = await h.stripe.prices.create({
      currency: 'eur',
      product: catalog.setupFee.product as string,
      unit_amount: 19_900,
      lookup_key: 'aisyst_setup_fee',
      transfer_lookup_key: true,
    });
    const found = await h.stripe.prices.list({ lookup_keys: ['aisyst_setup_fee'] });
    expect(found.data.map((p) => p.id)).toEqual([replacement.id]);
    expect((await h.stripe.prices.retrieve(catalog.setupFee.id)).lookup_key).toBeNull();
  });
});
