/**
 * The one repair for the meter, the prices, the setup fee and billing_plans: `catalog sync` itself, run
 * once per doctor run whichever check asks first. A setup fee price id it finds or makes that differs from
 * STRIPE_SETUP_FEE_PRICE_ID is a secret the operator must set: it is queued for printing.
 */
import { seedPlans } from '../../seed-plans.ts';
import { syncCatalog } from '../../sync-catalog.ts';
import type { DoctorContext } from '../types.ts';

export async function syncCatalogOnce(ctx: DoctorContext): Promise<void> {
  if (ctx.state.fixesRun.has('catalog')) return;
  ctx.state.fixesRun.add('catalog');
  await seedPlans(ctx.sql); // as `catalog sync` does: the plans' rows first, then their price ids
  const synced = await syncCatalog(
    { stripe: ctx.stripe, mode: ctx.config.stripe.mode, sql: ctx.sql, logger: ctx.logger },
    { allowLive: ctx.live },
  );
  if (synced.setupFeePriceId && synced.setupFeePriceId !== ctx.config.stripe.setupFeePriceId) {
    ctx.state.setupFeePriceId = synced.setupFeePriceId;
    ctx.state.secretsToSet.push(`supabase secrets set STRIPE_SETUP_FEE_PRICE_ID=${synced.setupFeePriceId}`);
  }
}
