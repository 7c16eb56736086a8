/** `stripe.meter`, `stripe.prices`, `stripe.setup_fee`: the account holds the catalog of src/domain/catalog.ts. */
import type Stripe from 'stripe';
import { METER, SETUP_FEE } from '../../../domain/catalog.ts';
import { allLookupKeys, describeMismatches, PLAN_PRICE_ROLES, priceMismatches } from '../catalog-compare.ts';
import { syncCatalogOnce } from './catalog-fix.ts';
import { result, type Check, type DoctorContext } from '../types.ts';

const SYNC_HINT = 'run doctor --fix (or catalog sync)';

export async function activeMeter(ctx: DoctorContext): Promise<Stripe.Billing.Meter | undefined> {
  const meters = await ctx.stripe.billing.meters
    .list({ status: 'active', limit: 100 })
    .autoPagingToArray({ limit: 1_000 });
  return meters.find((m) => m.event_name === METER.eventName);
}

async function pricesByLookupKey(ctx: DoctorContext): Promise<Stripe.Price[]> {
  return ctx.stripe.prices
    .list({ lookup_keys: allLookupKeys(), expand: ['data.tiers'], limit: 100 })
    .autoPagingToArray({ limit: 1_000 });
}

export const meterCheck: Check = {
  id: 'stripe.meter',
  async run(ctx) {
    const meter = await activeMeter(ctx);
    if (!meter) return result('problem', `no active meter ${METER.eventName}`, SYNC_HINT);
    if (meter.default_aggregation.formula !== 'sum')
      return result(
        'problem',
        `meter ${meter.id} aggregates by ${meter.default_aggregation.formula}, not sum`,
        'deactivate it in the Dashboard, then run doctor --fix',
      );
    return result('ok', `${METER.eventName} (${meter.id}), sum, active`);
  },
  fix: syncCatalogOnce,
};

export const pricesCheck: Check = {
  id: 'stripe.prices',
  async run(ctx) {
    const [meter, prices] = [await activeMeter(ctx), await pricesByLookupKey(ctx)];
    const mismatches = priceMismatches(prices, meter?.id, PLAN_PRICE_ROLES);
    if (mismatches.length > 0) return result('problem', describeMismatches(mismatches), SYNC_HINT);
    return result('ok', 'monthly, yearly and metered prices of every plan match the catalog');
  },
  fix: syncCatalogOnce,
};

export const setupFeeCheck: Check = {
  id: 'stripe.setup_fee',
  async run(ctx) {
    const byKey = priceMismatches(await pricesByLookupKey(ctx), undefined, ['setup_fee']);
    if (byKey.length > 0) return result('problem', describeMismatches(byKey), SYNC_HINT);
    const id = ctx.state.setupFeePriceId ?? ctx.config.stripe.setupFeePriceId;
    if (!id) return result('problem', 'STRIPE_SETUP_FEE_PRICE_ID is not set', SYNC_HINT);
    const price = await ctx.stripe.prices.retrieve(id).catch(() => undefined);
    if (!price || price.lookup_key !== SETUP_FEE.lookupKey || !price.active) {
      return result(
        'problem',
        `STRIPE_SETUP_FEE_PRICE_ID (${id}) is not the active ${SETUP_FEE.lookupKey} price`,
        SYNC_HINT,
      );
    }
    const toSet = ctx.state.setupFeePriceId ? ' — set it as a secret (printed below)' : '';
    return result('ok', `${id}: €${(SETUP_FEE.amountCents / 100).toFixed(2)} once${toSet}`);
  },
  fix: syncCatalogOnce,
};
