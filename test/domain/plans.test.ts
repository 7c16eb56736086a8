import { describe, expect, it } from 'vitest';
import { catalogPlanViews, yearlyPricing } from '../../src/domain/plans.ts';

describe('plan views', () => {
  it('prices every plan of docs/design.md to the cent', () => {
    expect(
      catalogPlanViews().map((p) => [
        p.code,
        p.monthlyPriceCents,
        p.yearlyPriceCents,
        p.monthlyEquivalentOfYearlyCents,
        p.yearlySavingCents,
      ]),
    ).toEqual([
      ['starter', 20_400, 220_320, 18_360, 24_480],
      ['growth', 36_600, 395_280, 32_940, 43_920],
      ['enterprise', 62_400, 673_920, 56_160, 74_880],
    ]);
  });

  it('carries what GET plans and the pricing page show', () => {
    expect(catalogPlanViews()[0]).toEqual({
      code: 'starter',
      name: 'Starter',
      currency: 'eur',
      includedMinutes: 500,
      monthlyPriceCents: 20_400,
      yearlyPriceCents: 220_320,
      monthlyEquivalentOfYearlyCents: 18_360,
      yearlySavingCents: 24_480,
      overageRateCents: 50,
      setupFeeCents: 24_900,
      sortOrder: 1,
    });
  });

  it('rounds a monthly equivalent half up to the cent', () => {
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_006 }).monthlyEquivalentOfYearlyCents).toBe(84); // 83.83
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_002 }).monthlyEquivalentOfYearlyCents).toBe(84); // 83.5
    expect(yearlyPricing({ monthlyPriceCents: 100, yearlyPriceCents: 1_001 }).monthlyEquivalentOfYearlyCents).toBe(83); // 83.42
    expect(() => yearlyPricing({ monthlyPriceCents: 1.5, yearlyPriceCents: 10 })).toThrow(RangeError);
  });
});
