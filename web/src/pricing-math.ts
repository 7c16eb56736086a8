/**
 * What a plan card shows for each billing period. Yearly prices come from the API (twelve months less 10 %,
 * src/domain/catalog.ts); the monthly equivalent is display-only and rounded to the cent.
 */
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
  const savingCents = twelveMonths - plan.yearly_price_cents;
  return {
    priceCents: plan.yearly_price_cents,
    per: 'year',
    monthlyEquivalentCents: Math.round(plan.yearly_price_cents / 12),
    savingCents,
    savingPercent: twelveMonths > 0 ? Math.round((savingCents * 100) / twelveMonths) : 0,
  };
}
