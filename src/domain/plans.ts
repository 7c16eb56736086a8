/**
 * What the pricing page shows about a plan's yearly price (web/src/pricing-math.ts), in integer cents: the
 * yearly price, its monthly equivalent and the saving against twelve monthly payments.
 */
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
