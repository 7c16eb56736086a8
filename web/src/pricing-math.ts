/**
 * What a plan card shows for each billing period. Yearly prices come from the API (twelve months less 10 %,
 * src/domain/catalog.ts); the monthly equivalent (display-only, rounded to the cent) and the saving are the
 * domain's (src/domain/plans.ts).
 */
import { yearlyPricing } from '../../src/domain/plans.ts';
import type { BillingPeriod, Plan } from './api.ts';

export interface PlanPriceView {
  /** The amount charged per billing period. */
  priceCents: number;
  per: 'month' | 'year';
  /** Yearly only: the yearly price spread over twelve months. */
  monthlyEquivalentCents?: number;
  /** Yearly only: twelve monthly payments minus the yearly price. */
  savingCents?: number;
  savingPercent?: number;
}

export function planPriceView(plan: Plan, period: BillingPeriod): PlanPriceView {
  if (period === 'monthly') return { priceCents: plan.monthly_price_cents, per: 'month' };
  const twelveMonths = plan.monthly_price_cents * 12;
  const yearly = yearlyPricing({
    monthlyPriceCents: plan.monthly_price_cents,
    yearlyPriceCents: plan.yearly_price_cents,
  });
  const savingCents = yearly.yearlySavingCents;
  return {
    priceCents: plan.yearly_price_cents,
    per: 'year',
    monthlyEquivalentCents: yearly.monthlyEquivalentOfYearlyCents,
    savingCents,
    savingPercent: twelveMonths > 0 ? Math.round((savingCents * 100) / twelveMonths) : 0,
  };
}
