import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLANS } from '../../src/domain/catalog.ts';
import { assertValidTiers, graduatedAmountCents, overageTiers, volumeAmountCents, type Tier } from './stripe-tiers.ts';

/**
 * Brute-force reference, written independently of the implementation: walk the units one by one, price each
 * by the tier it falls in, and add a tier's flat amount the first time a unit lands in it (the first tier's
 * flat amount is charged even at zero units, as in Stripe's fixed-fee-via-tiers pattern).
 */
function graduatedByWalkingUnits(tiers: readonly Tier[], quantity: number): number {
  const tierOf = (unit: number) => tiers.findIndex((t) => t.upTo === 'inf' || unit <= t.upTo);
  let total = tiers[0]?.flatAmountCents ?? 0;
  let lastTier = 0;
  for (let unit = 1; unit <= quantity; unit++) {
    const i = tierOf(unit);
    const tier = tiers[i] as Tier;
    if (i !== lastTier) {
      total += tier.flatAmountCents ?? 0;
      lastTier = i;
    }
    total += tier.unitAmountCents;
  }
  return total;
}

const tiersArb: fc.Arbitrary<Tier[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 5_000 }), { maxLength: 4 })
  .chain((bounds) =>
    fc.tuple(
      ...[...bounds.sort((a, b) => a - b), 'inf' as const].map((upTo) =>
        fc.record({
          upTo: fc.constant(upTo),
          unitAmountCents: fc.integer({ min: 0, max: 1_000 }),
          flatAmountCents: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        }),
      ),
    ),
  )
  .map((tiers) =>
    tiers.map(({ flatAmountCents, ...t }) => (flatAmountCents === undefined ? t : { ...t, flatAmountCents })),
  );

describe('Stripe tier maths', () => {
  const starter = overageTiers(500, 50);

  it('builds the overage tiers of docs/design.md', () => {
    expect(starter).toEqual([
      { upTo: 500, unitAmountCents: 0 },
      { upTo: 'inf', unitAmountCents: 50 },
    ]);
    expect(overageTiers(0, 50)).toEqual([{ upTo: 'inf', unitAmountCents: 50 }]);
  });

  it('prices Starter overage as Stripe graduated tiers do', () => {
    expect(graduatedAmountCents(starter, 0)).toBe(0);
    expect(graduatedAmountCents(starter, 500)).toBe(0);
    expect(graduatedAmountCents(starter, 501)).toBe(50); // €0.50
    expect(graduatedAmountCents(starter, 1_234)).toBe(36_700); // €367.00
  });

  it('shows why volume mode would be wrong: 1,234 minutes all at €0.50', () => {
    expect(volumeAmountCents(starter, 1_234)).toBe(61_700);
    expect(volumeAmountCents(starter, 1_234) - graduatedAmountCents(starter, 1_234)).toBe(25_000); // the 500 free minutes
    expect(volumeAmountCents(starter, 500)).toBe(0);
  });

  it("matches Stripe's Typographic examples (7 / 6.50 / 6 USD per font)", () => {
    const fonts: Tier[] = [
      { upTo: 5, unitAmountCents: 700 },
      { upTo: 10, unitAmountCents: 650 },
      { upTo: 'inf', unitAmountCents: 600 },
    ];
    expect([1, 5, 6, 20, 25].map((q) => volumeAmountCents(fonts, q))).toEqual([700, 3_500, 3_900, 12_000, 15_000]);
    expect([1, 5, 6, 20, 25].map((q) => graduatedAmountCents(fonts, q))).toEqual([700, 3_500, 4_150, 12_750, 15_750]);
  });

  it('adds flat amounts per reached tier (graduated) or of the one tier (volume)', () => {
    const tiers: Tier[] = [
      { upTo: 10, unitAmountCents: 0, flatAmountCents: 1_000 },
      { upTo: 'inf', unitAmountCents: 5, flatAmountCents: 200 },
    ];
    expect(graduatedAmountCents(tiers, 0)).toBe(1_000);
    expect(graduatedAmountCents(tiers, 10)).toBe(1_000);
    expect(graduatedAmountCents(tiers, 11)).toBe(1_205);
    expect(volumeAmountCents(tiers, 11)).toBe(255);
    expect(volumeAmountCents(tiers, 3)).toBe(1_000);
  });

  it.each<[string, Tier[]]>([
    ['empty', []],
    ['no inf tier', [{ upTo: 10, unitAmountCents: 1 }]],
    [
      'inf not last',
      [
        { upTo: 'inf', unitAmountCents: 1 },
        { upTo: 10, unitAmountCents: 1 },
      ],
    ],
    [
      'descending',
      [
        { upTo: 10, unitAmountCents: 1 },
        { upTo: 5, unitAmountCents: 1 },
        { upTo: 'inf', unitAmountCents: 1 },
      ],
    ],
    [
      'up_to 0',
      [
        { upTo: 0, unitAmountCents: 1 },
        { upTo: 'inf', unitAmountCents: 1 },
      ],
    ],
    ['fractional cents', [{ upTo: 'inf', unitAmountCents: 0.5 }]],
    ['negative flat', [{ upTo: 'inf', unitAmountCents: 1, flatAmountCents: -1 }]],
  ])('refuses invalid tiers: %s', (_name, tiers) => {
    expect(() => assertValidTiers(tiers)).toThrow(RangeError);
    expect(() => graduatedAmountCents(tiers, 1)).toThrow(RangeError);
  });

  it.each([-1, 1.5, Number.NaN])('refuses quantity %s', (q) => {
    expect(() => graduatedAmountCents(starter, q)).toThrow(RangeError);
    expect(() => volumeAmountCents(starter, q)).toThrow(RangeError);
  });

  it('property: every plan, usage 0..100000 → graduated amount = pricing each unit by walking the tiers', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLANS), fc.integer({ min: 0, max: 100_000 }), (plan, minutes) => {
        const tiers = overageTiers(plan.includedMinutes, plan.overageRateCents);
        expect(graduatedAmountCents(tiers, minutes)).toBe(graduatedByWalkingUnits(tiers, minutes));
      }),
      { numRuns: 300 },
    );
  });

  it('property: any valid tiers with flat amounts → graduated = the unit walk', () => {
    fc.assert(
      fc.property(tiersArb, fc.integer({ min: 0, max: 12_000 }), (tiers, quantity) => {
        expect(graduatedAmountCents(tiers, quantity)).toBe(graduatedByWalkingUnits(tiers, quantity));
      }),
      { numRuns: 300 },
    );
  });

  it('property: volume = quantity × the unit price of the tier holding the last unit, plus its flat', () => {
    fc.assert(
      fc.property(tiersArb, fc.integer({ min: 0, max: 12_000 }), (tiers, quantity) => {
        const tier = tiers.find((t) => t.upTo === 'inf' || Math.max(quantity, 1) <= t.upTo) as Tier;
        expect(volumeAmountCents(tiers, quantity)).toBe(quantity * tier.unitAmountCents + (tier.flatAmountCents ?? 0));
      }),
    );
  });
});
