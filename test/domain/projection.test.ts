import { describe, expect, it } from 'vitest';
import { projectMonthOverage } from '../../src/domain/projection.ts';

const periodStart = new Date('2026-11-01T00:00:00Z');
const periodEnd = new Date('2026-12-01T00:00:00Z'); // 30 days
const starter = { includedMinutes: 500, overageRateCents: 50, periodStart, periodEnd };

describe('month projection', () => {
  it('a third of the way through with 400 minutes used projects 1,200 minutes: 700 over, €350', () => {
    expect(projectMonthOverage({ ...starter, minutesUsed: 400, now: new Date('2026-11-11T00:00:00Z') })).toEqual({
      projectedMinutes: 1_200,
      projectedOverageMinutes: 700,
      projectedOverageCostCents: 35_000,
    });
  });

  it('rounds a fractional projection up to a whole minute', () => {
    // 7 days of 30: 100 × 30 / 7 = 428.57… → 429
    expect(
      projectMonthOverage({ ...starter, minutesUsed: 100, now: new Date('2026-11-08T00:00:00Z') }).projectedMinutes,
    ).toBe(429);
  });

  it('before the period starts and after it ends the projection is the usage so far', () => {
    expect(projectMonthOverage({ ...starter, minutesUsed: 50, now: periodStart }).projectedMinutes).toBe(50);
    expect(
      projectMonthOverage({ ...starter, minutesUsed: 50, now: new Date('2026-10-01T00:00:00Z') }).projectedMinutes,
    ).toBe(50);
    expect(projectMonthOverage({ ...starter, minutesUsed: 1_234, now: periodEnd })).toEqual({
      projectedMinutes: 1_234,
      projectedOverageMinutes: 734,
      projectedOverageCostCents: 36_700,
    });
  });

  it('refuses an empty period', () => {
    expect(() => projectMonthOverage({ ...starter, periodEnd: periodStart, minutesUsed: 1, now: periodStart })).toThrow(
      RangeError,
    );
  });
});
