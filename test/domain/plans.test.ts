import { describe, expect, it } from 'vitest';
import { PLANS, yearlyPriceCents } from '../../src/domain/catalog.ts';
import { yearlyPricing } from '../../src/domain/plans.ts';

describe('yearly pricing', () => {
  it('prices every plan of docs/design.md to the cent', () => {
    expect(
      PLANS.map((p) => {
        const yearly = yearlyPricing({
          monthlyPriceCents: p.monthlyPriceCents,
          yearlyPriceCents: yearlyPriceCents(p.monthlyPriceCents),
        });
        return [
          p.code,
          p.monthlyPriceCents,
          yearly.yearlyPriceCents,
          yearly.monthlyEquivalentOfYearlyCents,
          yearly.yearlySavingCents,
        ];
      }),
    ).toEqual([
      ['starter', 20_400, 220_320, 18_360, 24_480],
      ['growth', 36_600, 395_280, 32_940, 43_920],
      ['enterprise', 62_400, 673_920, 56_160, 74_880],
    ]);
  });

  it('rounds a monthly equivalent half up to the cent', () => {
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_006 }).monthlyEquivalentOfYearlyCents).toBe(84); // 83.83
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_002 }).monthlyEquivalentOfYearlyCents).toBe(84); // 83.5
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_001 }).monthlyEquivalentOfYearlyCents).toBe(83); // 83.42
    expect(() => yearlyPricing({ monthlyPriceCents: 1.5, yearlyPriceCents: 10 })).toThrow(RangeError);
  });
});
