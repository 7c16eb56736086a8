/**
 * Pure: does the Stripe account's catalog bill what src/domain/catalog.ts says? Compares the prices found by
 * lookup key with the desired ones (desired-catalog.ts, the same shapes `catalog sync` creates), per lookup key.
 */
import type Stripe from 'stripe';
import { desiredPrices, priceMatches, type DesiredPrice } from '../catalog/desired-catalog.ts';

export interface PriceMismatch {
  lookupKey: string;
  /** `missing`: no price holds the lookup key; `differs`: it bills other amounts, tiers or interval (or is inactive). */
  problem: 'missing' | 'differs';
}

/** Each desired price of `roles` that the account does not hold as the catalog says. */
export function priceMismatches(
  found: readonly Stripe.Price[],
  meterId: string | undefined,
  roles: ReadonlyArray<DesiredPrice['role']>,
): PriceMismatch[] {
  return desiredPrices()
    .filter((want) => roles.includes(want.role))
    .flatMap((want): PriceMismatch[] => {
      const price = found.find((p) => p.lookup_key === want.lookupKey);
      if (!price) return [{ lookupKey: want.lookupKey, problem: 'missing' }];
      return priceMatches(price, want.shape, meterId) ? [] : [{ lookupKey: want.lookupKey, problem: 'differs' }];
    });
}

export const describeMismatches = (m: readonly PriceMismatch[]): string =>
  m.map((x) => `${x.lookupKey} ${x.problem === 'missing' ? 'missing' : 'differs from the catalog'}`).join(', ');

export const PLAN_PRICE_ROLES = ['monthly', 'yearly', 'metered'] as const;

/** Every lookup key doctor reads prices by. */
export const allLookupKeys = (): string[] => desiredPrices().map((p) => p.lookupKey);
