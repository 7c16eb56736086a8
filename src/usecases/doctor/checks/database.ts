/** `database.migrations`, `database.plans`, `database.rls`: the configured database is ready for the functions. */
import { listMigrations } from '../../../adapters/db/migrate.ts';
import { PLANS, priceLookupKey } from '../../../domain/catalog.ts';
import { listAppliedMigrationVersions, listPublicTableSecurity } from '../../../repositories/doctor-probes.ts';
import { listActivePlanPriceIds } from '../../../repositories/plans.ts';
import { syncCatalogOnce } from './catalog-fix.ts';
import { result, type Check } from '../types.ts';

export const migrationsCheck: Check = {
  id: 'database.migrations',
  async run(ctx) {
    const applied = new Set(await listAppliedMigrationVersions(ctx.sql));
    const pending = listMigrations()
      .filter((m) => !applied.has(m.version))
      .map((m) => `${m.version}_${m.name}`);
    if (pending.length > 0)
      return result('problem', `${pending.length} pending: ${pending.join(', ')}`, 'run npx aisyst-billing migrate');
    return result('ok', `${applied.size} applied, none pending`);
  },
};

export const plansCheck: Check = {
  id: 'database.plans',
  async run(ctx) {
    const rows = await listActivePlanPriceIds(ctx.sql);
    // The ids must be the prices the lookup keys name now: a replaced price left in billing_plans bills the old amounts.
    const prices = await ctx.stripe.prices
      .list({
        lookup_keys: PLANS.flatMap((p) =>
          (['monthly', 'yearly', 'metered'] as const).map((k) => priceLookupKey(p.code, k)),
        ),
        limit: 100,
      })
      .autoPagingToArray({ limit: 1_000 });
    const current = new Map(prices.map((p) => [p.lookup_key, p.id]));
    const wrong: string[] = [];
    for (const plan of PLANS) {
      const row = rows.find((r) => r.code === plan.code);
      if (!row) {
        wrong.push(`${plan.code} missing`);
        continue;
      }
      const ids = {
        monthly: row.stripe_price_id,
        yearly: row.stripe_yearly_price_id,
        metered: row.stripe_metered_price_id,
      };
      for (const [kind, id] of Object.entries(ids) as Array<['monthly' | 'yearly' | 'metered', string | null]>) {
        if (!id) wrong.push(`${plan.code} has no ${kind} price id`);
        else if (current.get(priceLookupKey(plan.code, kind)) !== id)
          wrong.push(`${plan.code} ${kind} is not the ${priceLookupKey(plan.code, kind)} price`);
      }
    }
    if (wrong.length > 0) return result('problem', wrong.join('; '), 'run doctor --fix (or catalog sync)');
    return result('ok', `${PLANS.length} plans with their Stripe price ids`);
  },
  fix: syncCatalogOnce,
};

export const rlsCheck: Check = {
  id: 'database.rls',
  async run(ctx) {
    const rows = await listPublicTableSecurity(ctx.sql);
    const off = rows.filter((r) => !r.relrowsecurity).map((r) => r.relname);
    if (rows.length === 0) return result('problem', 'no tables in schema public', 'run npx aisyst-billing migrate');
    if (off.length > 0)
      return result(
        'problem',
        `row level security off on ${off.join(', ')}`,
        `alter table … enable row level security (see supabase/migrations/*_row_level_security.sql)`,
      );
    return result('ok', `on for all ${rows.length} tables in public`);
  },
};
