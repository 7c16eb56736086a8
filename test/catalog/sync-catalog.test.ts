/**
 * catalog sync against the emulator (the official SDK as the only client): it makes the account hold the
 * catalog, finds everything on a re-run, replaces (never edits) a price whose amounts differ, and refuses live
 * mode unless told.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { createStripeClient } from '../../src/adapters/stripe/client.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { priceLookupKey } from '../../src/domain/catalog.ts';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { LiveModeRefusedError, formatCatalogRows, syncCatalog } from '../../src/usecases/sync-catalog.ts';

let emulator: RunningStripeEmulator;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startStripeEmulator({ port: 0 });
  stripe = createStripeClient(parseConfig({}), { apiBase: emulator.url });
});
afterEach(async () => {
  await emulator?.close();
});

const statuses = (rows: { status: string }[]) => [...new Set(rows.map((r) => r.status))];

describe('catalog sync', () => {
  it('creates the meter, 4 products and 10 prices, then finds all of them on a second run', async () => {
    const first = await syncCatalog({ stripe, mode: 'emulator' });
    expect(first.rows.filter((r) => r.kind === 'meter')).toHaveLength(1);
    expect(first.rows.filter((r) => r.kind === 'product')).toHaveLength(4);
    expect(first.rows.filter((r) => r.kind === 'price')).toHaveLength(10);
    expect(statuses(first.rows)).toEqual(['created']);
    expect(first.setupFeePriceId).toMatch(/^price_/);

    const second = await syncCatalog({ stripe, mode: 'emulator' });
    expect(statuses(second.rows)).toEqual(['found']);
    expect(second.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect((await stripe.products.list({ limit: 100 })).data).toHaveLength(4);
  });

  it('builds the metered price as graduated tiers on the meter: included minutes free, then 50 cents', async () => {
    const { planPriceIds, rows } = await syncCatalog({ stripe, mode: 'emulator' });
    const metered = await stripe.prices.retrieve(planPriceIds.starter!.metered!, { expand: ['tiers'] });
    expect(metered.recurring).toMatchObject({
      interval: 'month',
      usage_type: 'metered',
      meter: rows.find((r) => r.kind === 'meter')!.id,
    });
    expect(metered.tiers_mode).toBe('graduated');
    expect(metered.tiers!.map((t) => [t.up_to, t.unit_amount])).toEqual([
      [500, 0],
      [null, 50],
    ]);
    const yearly = await stripe.prices.retrieve(planPriceIds.growth!.yearly!);
    expect([yearly.unit_amount, yearly.recurring?.interval]).toEqual([395_280, 'year']);
  });

  it('changes nothing in a dry run', async () => {
    const plan = await syncCatalog({ stripe, mode: 'emulator' }, { dryRun: true });
    expect(statuses(plan.rows)).toEqual(['would-create']);
    expect((await stripe.products.list()).data).toHaveLength(0);
    expect(formatCatalogRows(plan.rows)).toMatch(/price\s+aisyst_starter_monthly\s+would-create/);
  });

  it('replaces a price whose amount differs by a new one that takes over the lookup key, leaving the old one untouched', async () => {
    const first = await syncCatalog({ stripe, mode: 'emulator' });
    const key = priceLookupKey('starter', 'monthly');
    const product = first.rows.find((r) => r.key === 'aisyst_starter')!.id!;
    // Someone made the monthly Starter price €199 and gave it our lookup key.
    const wrong = await stripe.prices.create({
      currency: 'eur',
      product,
      unit_amount: 19_900,
      recurring: { interval: 'month' },
      lookup_key: key,
      transfer_lookup_key: true,
    });
    const second = await syncCatalog({ stripe, mode: 'emulator' });
    const row = second.rows.find((r) => r.key === key)!;
    expect(row.status).toBe('replaced');
    expect(row.id).not.toBe(wrong.id);
    expect((await stripe.prices.retrieve(row.id!)).unit_amount).toBe(20_400);
    expect((await stripe.prices.retrieve(wrong.id)).unit_amount).toBe(19_900);
    expect((await stripe.prices.list({ lookup_keys: [key] })).data.map((p) => p.id)).toEqual([row.id]);
    expect(statuses((await syncCatalog({ stripe, mode: 'emulator' })).rows)).toEqual(['found']);
  });

  it('refuses a live account without --live', async () => {
    await expect(syncCatalog({ stripe, mode: 'live' })).rejects.toBeInstanceOf(LiveModeRefusedError);
    expect((await stripe.products.list()).data).toHaveLength(0);
  });
});
