/**
 * Makes `billing_plans` hold the catalog of src/domain/catalog.ts, safe on every start and on an adopted
 * database: each plan is upserted by `code` (repositories/plans.ts). Prices, minutes, names and order follow the
 * catalog; the Stripe price ids already stored are never touched.
 */
import { CURRENCY, PLANS, SETUP_FEE, yearlyPriceCents } from '../domain/catalog.ts';
import type { Sql } from '../ports/sql.ts';
import { upsertPlan } from '../repositories/plans.ts';

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
      const outcome = await upsertPlan(tx, {
        code: plan.code,
        name: plan.name,
        includedMinutes: plan.includedMinutes,
        currency: CURRENCY,
        monthlyPriceCents: plan.monthlyPriceCents,
        yearlyPriceCents: yearlyPriceCents(plan.monthlyPriceCents),
        overageRateCents: plan.overageRateCents,
        setupFeeCents: SETUP_FEE.amountCents,
        sortOrder: plan.sortOrder,
      });
      result[outcome].push(plan.code);
    }
  });
  return result;
}
