/**
 * What the pricing page and GET plans show about a plan, derived in integer cents from the catalog (catalog.ts)
 * or from a `billing_plans` row: yearly price, its monthly equivalent and the saving against twelve months.
 */
import {
  CURRENCY,
  PLANS,
  SETUP_FEE,
  yearlyPriceCents,
  type CatalogPlan,
  type Currency,
  type PlanCode,
} from './catalog.ts';
import { assertSafeCents } from './money.ts';

export interface YearlyPricing {
  yearlyPriceCents: number;
  /** yearly / 12, rounded half up to a cent (exact for every AiSyst plan: 220320 / 12 = 18360). */
  monthlyEquivalentOfYearlyCents: number;
  /** 12 × monthly − yearly: what paying yearly saves over twelve monthly payments. */
  yearlySavingCents: number;
}

export function yearlyPricing(prices: { monthlyPriceCents: number; yearlyPriceCents: number }): YearlyPricing {
  const monthly = assertSafeCents(prices.monthlyPriceCents, 'monthly price');
  const yearly = assertSafeCents(prices.yearlyPriceCents, 'yearly price');
  if (monthly < 0 || yearly < 0) throw new RangeError('prices must be ≥ 0');
  return {
    yearlyPriceCents: yearly,
    monthlyEquivalentOfYearlyCents: Math.floor((yearly + 6) / 12),
    yearlySavingCents: assertSafeCents(12 * monthly - yearly, 'yearly saving'),
  };
}

export interface PlanView extends YearlyPricing {
  code: PlanCode;
  name: string;
  currency: Currency;
  includedMinutes: number;
  monthlyPriceCents: number;
  overageRateCents: number;
  setupFeeCents: number;
  sortOrder: number;
}

export function planView(plan: CatalogPlan): PlanView {
  return {
    code: plan.code,
    name: plan.name,
    currency: CURRENCY,
    includedMinutes: plan.includedMinutes,
    monthlyPriceCents: plan.monthlyPriceCents,
    overageRateCents: plan.overageRateCents,
    setupFeeCents: SETUP_FEE.amountCents,
    sortOrder: plan.sortOrder,
    ...yearlyPricing({
      monthlyPriceCents: plan.monthlyPriceCents,
      yearlyPriceCents: yearlyPriceCents(plan.monthlyPriceCents),
    }),
  };
}

/** Every catalog plan, by sort order. */
export const catalogPlanViews = (): PlanView[] => [...PLANS].sort((a, b) => a.sortOrder - b.sortOrder).map(planView);
