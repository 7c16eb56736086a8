/**
 * Makes `billing_plans` hold the catalog of src/domain/catalog.ts: an upsert by `code`, so it is safe on
 * every start and on an adopted database. Prices, minutes, names and order follow the catalog; the Stripe
 * price ids already stored are never touched (they belong to `catalog sync`, and wiping them would break
 * Checkout until the next sync).
 */
import { CURRENCY, PLANS, SETUP_FEE, yearlyPriceCents } from '../domain/catalog.ts';
import type { Sql } from '../ports/sql.ts';

export interface SeedPlansResult {
  /** Codes inserted now. */
  inserted: string[];
  /** Codes that existed and were brought in line with the catalog. */
  updated: string[];
  /** Codes already exactly as the catalog says (no write, so updated_at keeps its meaning). */
  unchanged: string[];
}

export async function seedPlans(sql: Sql): Promise<SeedPlansResult> {
  const result: SeedPlansResult = { inserted: [], updated: [], unchanged: [] };
  await sql.transaction(async (tx) => {
    for (const plan of PLANS) {
      const [row] = await tx.query<{ inserted: boolean }>(
        `insert into public.billing_plans
           (code, name, model_type, included_minutes, currency, price_cents, yearly_price_cents,
            overage_rate_cents, setup_fee_cents, sort_order, active)
         values ($1, $2, 'tiered', $3, $4, $5, $6, $7, $8, $9, true)
         on conflict (code) do update set
           name = excluded.name,
           model_type = excluded.model_type,
           included_minutes = excluded.included_minutes,
           currency = excluded.currency,
           price_cents = excluded.price_cents,
           yearly_price_cents = excluded.yearly_price_cents,
           overage_rate_cents = excluded.overage_rate_cents,
           setup_fee_cents = excluded.setup_fee_cents,
           sort_order = excluded.sort_order,
           active = true
         where (billing_plans.name, billing_plans.model_type, billing_plans.included_minutes,
                billing_plans.currency, billing_plans.price_cents, billing_plans.yearly_price_cents,
                billing_plans.overage_rate_cents, billing_plans.setup_fee_cents, billing_plans.sort_order,
                billing_plans.active)
               is distinct from
               (excluded.name, excluded.model_type, excluded.included_minutes, excluded.currency,
                excluded.price_cents, excluded.yearly_price_cents, excluded.overage_rate_cents,
                excluded.setup_fee_cents, excluded.sort_order, true)
         returning (xmax = 0) as inserted`,
        [
          plan.code,
          plan.name,
          plan.includedMinutes,
          CURRENCY,
          plan.monthlyPriceCents,
          yearlyPriceCents(plan.monthlyPriceCents),
          plan.overageRateCents,
          SETUP_FEE.amountCents,
          plan.sortOrder,
        ],
      );
      (row === undefined ? result.unchanged : row.inserted ? result.inserted : result.updated).push(plan.code);
    }
  });
  return result;
}
