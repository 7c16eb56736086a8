import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLANS } from '../../src/domain/catalog.ts';
import { cycleTotals } from '../../src/domain/cycles.ts';
import { graduatedAmountCents, overageTiers } from '../support/stripe-tiers.ts';

describe('cycle totals', () => {
  it('Starter: 501 minutes → 1 overage minute, €0.50; 1,234 → 734 minutes, €367.00', () => {
    expect(cycleTotals({ includedMinutes: 500, overageRateCents: 50, minutesUsed: 501 })).toEqual({
      minutesUsed: 501,
      overageMinutes: 1,
      overageCostCents: 50,
    });
    expect(cycleTotals({ includedMinutes: 500, overageRateCents: 50, minutesUsed: 1_234 })).toEqual({
      minutesUsed: 1_234,
      overageMinutes: 734,
      overageCostCents: 36_700,
    });
  });

  it('no overage within the included minutes', () => {
    expect(cycleTotals({ includedMinutes: 2_000, overageRateCents: 50, minutesUsed: 2_000 })).toEqual({
      minutesUsed: 2_000,
      overageMinutes: 0,
      overageCostCents: 0,
    });
  });

  it.each([-1, 1.5, Number.NaN])('refuses minutesUsed %s', (minutesUsed) => {
    expect(() => cycleTotals({ includedMinutes: 500, overageRateCents: 50, minutesUsed })).toThrow(RangeError);
  });

  it('property: for every plan and usage 0..100000 the cost equals Stripe graduated tiers', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PLANS), fc.integer({ min: 0, max: 100_000 }), (plan, minutesUsed) => {
        const totals = cycleTotals({
          includedMinutes: plan.includedMinutes,
          overageRateCents: plan.overageRateCents,
          minutesUsed,
        });
        const tiers = overageTiers(plan.includedMinutes, plan.overageRateCents);
        expect(totals.overageCostCents).toBe(graduatedAmountCents(tiers, minutesUsed));
        expect(totals.overageCostCents).toBe(totals.overageMinutes * plan.overageRateCents);
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: any included minutes and rate agree with the graduated tiers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (includedMinutes, overageRateCents, minutesUsed) => {
          expect(cycleTotals({ includedMinutes, overageRateCents, minutesUsed }).overageCostCents).toBe(
            graduatedAmountCents(overageTiers(includedMinutes, overageRateCents), minutesUsed),
          );
        },
      ),
    );
  });
});
