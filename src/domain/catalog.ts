/**
 * The plan catalog as code: the one typed source of truth for what AiSyst sells (docs/design.md#plans-and-prices).
 * `billing_plans` is seeded from it and `catalog sync` makes a Stripe account hold it; nothing else
 * hard-codes a price.
 */
export const CURRENCY = 'eur' as const;
export type Currency = typeof CURRENCY;

/** Stripe Billing Meter the metered prices attach to; the event name is what report-usage sends. */
export const METER = {
  eventName: 'voice_call_minutes',
  displayName: 'Voice Call Minutes',
} as const;

/** Yearly plans cost twelve months less 10 %. */
export const YEARLY_DISCOUNT_PERCENT = 10;

export const SETUP_FEE = {
  name: 'AiSyst Setup Fee',
  amountCents: 24_900,
  lookupKey: 'aisyst_setup_fee',
} as const;

export type PlanCode = 'starter' | 'growth' | 'enterprise';

export interface CatalogPlan {
  /** Stable key across databases and Stripe accounts (`billing_plans.code`, price lookup keys). */
  code: PlanCode;
  name: string;
  monthlyPriceCents: number;
  includedMinutes: number;
  overageRateCents: number;
  sortOrder: number;
}

export const PLANS: readonly CatalogPlan[] = [
  {
    code: 'starter',
    name: 'Starter',
    monthlyPriceCents: 20_400,
    includedMinutes: 500,
    overageRateCents: 50,
    sortOrder: 1,
  },
  {
    code: 'growth',
    name: 'Growth',
    monthlyPriceCents: 36_600,
    includedMinutes: 1_000,
    overageRateCents: 50,
    sortOrder: 2,
  },
  {
    code: 'enterprise',
    name: 'Enterprise',
    monthlyPriceCents: 62_400,
    includedMinutes: 2_000,
    overageRateCents: 50,
    sortOrder: 3,
  },
];

/**
 * Twelve months less the yearly discount, rounded to the nearest whole cent (half up) in integer maths: the one
 * rule, the same as the adoption migration's back-fill `round(price_cents * 12 * 0.9)` (docs/design.md#plans-and-prices;
 * test/db/yearly-price-rule.test.ts checks both agree). Every AiSyst price is exact, so nothing is rounded today.
 */
export function yearlyPriceCents(monthlyPriceCents: number, discountPercent = YEARLY_DISCOUNT_PERCENT): number {
  const hundredths = monthlyPriceCents * 12 * (100 - discountPercent);
  if (![monthlyPriceCents, discountPercent, hundredths].every(Number.isSafeInteger) || hundredths < 0) {
    throw new RangeError(`yearly price of ${monthlyPriceCents} cents/month at ${discountPercent} % off is not a price`);
  }
  const remainder = hundredths % 100;
  return (hundredths - remainder) / 100 + (remainder >= 50 ? 1 : 0);
}

/** Stripe price lookup keys: how `catalog sync` finds what it made before, on any account. */
export const priceLookupKey = (code: PlanCode, kind: 'monthly' | 'yearly' | 'metered') => `aisyst_${code}_${kind}`;
export const productLookupKey = (code: PlanCode) => `aisyst_${code}`;
