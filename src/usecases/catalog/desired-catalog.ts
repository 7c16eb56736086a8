/**
 * What a Stripe account must hold for AiSyst, derived from the catalog (src/domain/catalog.ts): pure data that
 * sync-catalog.ts compares with the account. One metered price per plan bills overage through graduated tiers:
 * the first `included` minutes at 0, every further minute at the overage rate
 * (https://docs.stripe.com/billing/subscriptions/usage-based/pricing-models#graduated-pricing).
 */
import type Stripe from 'stripe';
import {
  CURRENCY,
  PLANS,
  SETUP_FEE,
  priceLookupKey,
  productLookupKey,
  yearlyPriceCents,
  type PlanCode,
} from '../../domain/catalog.ts';

export const SETUP_FEE_PRODUCT_KEY = 'aisyst_setup_fee';

export interface DesiredProduct {
  key: string;
  name: string;
  planCode: PlanCode | undefined;
}

export type PriceShape =
  | { kind: 'flat'; interval: 'month' | 'year'; unitAmount: number }
  | { kind: 'metered'; includedMinutes: number; overageCents: number }
  | { kind: 'one_time'; unitAmount: number };

export interface DesiredPrice {
  lookupKey: string;
  productKey: string;
  planCode: PlanCode | undefined;
  role: 'monthly' | 'yearly' | 'metered' | 'setup_fee';
  nickname: string;
  shape: PriceShape;
}

export function desiredProducts(): DesiredProduct[] {
  return [
    ...PLANS.map((p) => ({ key: productLookupKey(p.code), name: `AiSyst ${p.name}`, planCode: p.code })),
    { key: SETUP_FEE_PRODUCT_KEY, name: SETUP_FEE.name, planCode: undefined },
  ];
}

export function desiredPrices(): DesiredPrice[] {
  const plans = PLANS.flatMap((p): DesiredPrice[] => [
    {
      lookupKey: priceLookupKey(p.code, 'monthly'),
      productKey: productLookupKey(p.code),
      planCode: p.code,
      role: 'monthly',
      nickname: `${p.name} monthly`,
      shape: { kind: 'flat', interval: 'month', unitAmount: p.monthlyPriceCents },
    },
    {
      lookupKey: priceLookupKey(p.code, 'yearly'),
      productKey: productLookupKey(p.code),
      planCode: p.code,
      role: 'yearly',
      nickname: `${p.name} yearly`,
      shape: { kind: 'flat', interval: 'year', unitAmount: yearlyPriceCents(p.monthlyPriceCents) },
    },
    {
      lookupKey: priceLookupKey(p.code, 'metered'),
      productKey: productLookupKey(p.code),
      planCode: p.code,
      role: 'metered',
      nickname: `${p.name} overage minutes`,
      shape: { kind: 'metered', includedMinutes: p.includedMinutes, overageCents: p.overageRateCents },
    },
  ]);
  return [
    ...plans,
    {
      lookupKey: SETUP_FEE.lookupKey,
      productKey: SETUP_FEE_PRODUCT_KEY,
      planCode: undefined,
      role: 'setup_fee',
      nickname: SETUP_FEE.name,
      shape: { kind: 'one_time', unitAmount: SETUP_FEE.amountCents },
    },
  ];
}

/** Does an existing price bill exactly what we want? (Prices are immutable: a different one is replaced, never edited.) */
export function priceMatches(price: Stripe.Price, want: PriceShape, meterId: string | undefined): boolean {
  if (price.currency !== CURRENCY || !price.active) return false;
  switch (want.kind) {
    case 'flat':
      return (
        price.type === 'recurring' &&
        price.billing_scheme === 'per_unit' &&
        price.unit_amount === want.unitAmount &&
        price.recurring?.interval === want.interval &&
        price.recurring.interval_count === 1 &&
        price.recurring.usage_type === 'licensed'
      );
    case 'one_time':
      return price.type === 'one_time' && price.unit_amount === want.unitAmount;
    case 'metered': {
      const tiers = price.tiers ?? [];
      return (
        price.recurring?.usage_type === 'metered' &&
        price.recurring.interval === 'month' &&
        price.recurring.interval_count === 1 &&
        (meterId === undefined || price.recurring.meter === meterId) &&
        price.billing_scheme === 'tiered' &&
        price.tiers_mode === 'graduated' &&
        tiers.length === 2 &&
        tiers[0]!.up_to === want.includedMinutes &&
        (tiers[0]!.unit_amount ?? 0) === 0 &&
        !tiers[0]!.flat_amount &&
        tiers[1]!.up_to === null &&
        tiers[1]!.unit_amount === want.overageCents &&
        !tiers[1]!.flat_amount
      );
    }
  }
}

/** The create params for a price of `shape` on `productId`, carrying our lookup key. */
export function priceCreateParams(
  want: DesiredPrice,
  productId: string,
  meterId: string,
  transfer: boolean,
): Stripe.PriceCreateParams {
  const base = {
    currency: CURRENCY,
    product: productId,
    lookup_key: want.lookupKey,
    nickname: want.nickname,
    metadata: { aisyst_lookup_key: want.lookupKey },
    ...(transfer ? { transfer_lookup_key: true } : {}),
  };
  switch (want.shape.kind) {
    case 'flat':
      return {
        ...base,
        unit_amount: want.shape.unitAmount,
        recurring: { interval: want.shape.interval, usage_type: 'licensed' },
      };
    case 'one_time':
      return { ...base, unit_amount: want.shape.unitAmount };
    case 'metered':
      return {
        ...base,
        billing_scheme: 'tiered',
        tiers_mode: 'graduated',
        tiers: [
          { up_to: want.shape.includedMinutes, unit_amount: 0 },
          { up_to: 'inf', unit_amount: want.shape.overageCents },
        ],
        recurring: { interval: 'month', usage_type: 'metered', meter: meterId },
      };
  }
}
