/**
 * The plan a checkout or a plan change sells: on sale and with all three Stripe prices (written by
 * `catalog sync`), else 404 `plan_not_found`.
 */
import { AppError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { findActivePlanById, type PlanTerms } from '../../repositories/plans.ts';

export interface PurchasablePlan extends PlanTerms {
  stripePriceId: string;
  stripeYearlyPriceId: string;
  stripeMeteredPriceId: string;
}

/** An active plan with all three Stripe prices, else 404 `plan_not_found` (unknown, retired or not synced). */
export async function loadPurchasablePlan(sql: Sql, planId: string): Promise<PurchasablePlan> {
  const plan = await findActivePlanById(sql, planId);
  if (!plan) throw new AppError('plan_not_found', 'There is no plan with this id.', { field: 'plan_id' });
  if (!plan.stripePriceId || !plan.stripeYearlyPriceId || !plan.stripeMeteredPriceId) {
    throw new AppError('plan_not_found', 'This plan cannot be bought yet (its prices are not set up).', {
      field: 'plan_id',
    });
  }
  return plan as PurchasablePlan;
}
