/**
 * A model of Stripe's tiered-price maths for a metered price, for the tests: the product's own overage figure
 * (cycleTotals, src/domain/cycles.ts) is property-tested against it, so that what we show (dashboard, report-usage)
 * is what Stripe will invoice. Source: docs.stripe.com/subscriptions/pricing-models/tiered-pricing and the Price object's `tiers`
 * (docs.stripe.com/api/prices/object#price_object-tiers): a tier covers quantities up to and including `up_to`,
 * the next starts at `up_to + 1`, the last is `'inf'`.
 * - graduated: each unit is priced by the tier it falls in; each tier reached adds its `flat_amount` once.
 * - volume: every unit is priced at the tier the *total* falls in, plus that tier's `flat_amount`.
 * The first tier counts as reached even at quantity 0 (Stripe's "fixed fee via a first-tier flat amount" pattern);
 * our own overage tiers have no flat amounts, so this choice never changes an AiSyst invoice.
 */
import { assertSafeCents } from '../../src/domain/money.ts';

export interface Tier {
  /** Inclusive upper bound of the tier, or `'inf'` for the last one. */
  upTo: number | 'inf';
  unitAmountCents: number;
  flatAmountCents?: number;
}

/** Throws RangeError unless tiers are non-empty, strictly ascending, end with `'inf'` and hold integer cents. */
export function assertValidTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) throw new RangeError('tiers must not be empty');
  let previous = 0;
  tiers.forEach((tier, i) => {
    const last = i === tiers.length - 1;
    if (last !== (tier.upTo === 'inf')) throw new RangeError(`only the last tier may (and must) be 'inf' (tier ${i})`);
    if (tier.upTo !== 'inf') {
      if (!Number.isSafeInteger(tier.upTo) || tier.upTo < 1 || (i > 0 && tier.upTo <= previous)) {
        throw new RangeError(`tier ${i} up_to must be a positive integer above the previous tier's`);
      }
      previous = tier.upTo;
    }
    if (assertSafeCents(tier.unitAmountCents, `tier ${i} unit amount`) < 0)
      throw new RangeError(`tier ${i} unit amount < 0`);
    if (assertSafeCents(tier.flatAmountCents ?? 0, `tier ${i} flat amount`) < 0)
      throw new RangeError(`tier ${i} flat amount < 0`);
  });
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`quantity must be a non-negative integer, got ${String(quantity)}`);
  }
}

const upper = (tier: Tier): number => (tier.upTo === 'inf' ? Number.POSITIVE_INFINITY : tier.upTo);

export function graduatedAmountCents(tiers: readonly Tier[], quantity: number): number {
  assertValidTiers(tiers);
  assertQuantity(quantity);
  let total = 0;
  let lower = 0; // units already priced by earlier tiers
  for (const [i, tier] of tiers.entries()) {
    if (i > 0 && quantity <= lower) break; // this tier is not reached
    const units = Math.min(quantity, upper(tier)) - lower;
    total += (tier.flatAmountCents ?? 0) + units * tier.unitAmountCents;
    lower = upper(tier);
  }
  return assertSafeCents(total, 'graduated amount');
}

export function volumeAmountCents(tiers: readonly Tier[], quantity: number): number {
  assertValidTiers(tiers);
  assertQuantity(quantity);
  const tier = tiers.find((t) => quantity <= upper(t)) as Tier; // the last tier is 'inf', so one always matches
  return assertSafeCents((tier.flatAmountCents ?? 0) + quantity * tier.unitAmountCents, 'volume amount');
}

/**
 * The overage price of every AiSyst plan (docs/design.md#plans-and-prices; the product's is
 * catalog/desired-catalog.ts): the included minutes free, then a per-minute rate. With 0 included minutes the free tier would be empty, which Stripe refuses (up_to ≥ 1): left out.
 */
export function overageTiers(includedMinutes: number, overageRateCents: number): Tier[] {
  assertQuantity(includedMinutes);
  assertSafeCents(overageRateCents, 'overage rate');
  const paid: Tier = { upTo: 'inf', unitAmountCents: overageRateCents };
  return includedMinutes === 0 ? [paid] : [{ upTo: includedMinutes, unitAmountCents: 0 }, paid];
}
