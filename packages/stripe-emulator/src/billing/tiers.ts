/**
 * Amount for a quantity under a price (docs.stripe.com/products-prices/pricing-models#tiered-pricing):
 * - per_unit: quantity × unit_amount;
 * - graduated: each unit is priced by the tier it falls in, plus each reached tier's flat amount;
 * - volume: every unit is priced by the tier the total falls in, plus that tier's flat amount.
 * Integer minor units throughout.
 */
export interface Tier {
  up_to: number | null;
  unit_amount: number | null;
  flat_amount: number | null;
}
export interface PriceLike {
  billing_scheme: string;
  tiers_mode: string | null;
  unit_amount: number | null;
  tiers?: Tier[];
}

export function amountFor(price: PriceLike, quantity: number): number {
  if (price.billing_scheme !== 'tiered') return (price.unit_amount ?? 0) * quantity;
  const tiers = price.tiers ?? [];
  if (price.tiers_mode === 'volume') {
    const tier = tiers.find((t) => t.up_to === null || quantity <= t.up_to) ?? tiers[tiers.length - 1];
    if (!tier || quantity === 0) return 0;
    return (tier.unit_amount ?? 0) * quantity + (tier.flat_amount ?? 0);
  }
  let total = 0;
  let below = 0;
  for (const tier of tiers) {
    if (quantity <= below) break;
    const top = tier.up_to === null ? quantity : Math.min(quantity, tier.up_to);
    total += (tier.unit_amount ?? 0) * (top - below) + (tier.flat_amount ?? 0);
    below = top;
  }
  return total;
}
