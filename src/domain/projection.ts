/**
 * Dashboard projection: where this month's usage ends up if the pace so far continues. Linear in elapsed time:
 * projected = minutesUsed × periodLength / elapsed, computed exactly with BigInt on epoch milliseconds and
 * rounded UP to a whole minute (like per-call billing, and so that a warning errs on the side of showing it).
 * Before any time has elapsed the pace is unknown and the projection is the usage so far; at or after the end of
 * the period it is the final usage. Cost is the plan's overage for the projected minutes (cycles.ts).
 */
import { cycleTotals } from './cycles.ts';

export interface MonthProjection {
  projectedMinutes: number;
  projectedOverageMinutes: number;
  projectedOverageCostCents: number;
}

export function projectMonthOverage(input: {
  minutesUsed: number;
  includedMinutes: number;
  overageRateCents: number;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
}): MonthProjection {
  const start = input.periodStart.getTime();
  const end = input.periodEnd.getTime();
  const now = input.now.getTime();
  if (![start, end, now].every(Number.isFinite) || end <= start) throw new RangeError('invalid period');
  if (!Number.isSafeInteger(input.minutesUsed) || input.minutesUsed < 0)
    throw new RangeError('minutesUsed must be a non-negative integer');
  const elapsed = Math.min(now, end) - start;
  let projectedMinutes = input.minutesUsed;
  if (elapsed > 0 && now < end) {
    const numerator = BigInt(input.minutesUsed) * BigInt(end - start);
    const denominator = BigInt(elapsed);
    const quotient = numerator / denominator + (numerator % denominator === 0n ? 0n : 1n);
    projectedMinutes = Number(quotient);
  }
  const totals = cycleTotals({
    includedMinutes: input.includedMinutes,
    overageRateCents: input.overageRateCents,
    minutesUsed: projectedMinutes,
  });
  return {
    projectedMinutes,
    projectedOverageMinutes: totals.overageMinutes,
    projectedOverageCostCents: totals.overageCostCents,
  };
}
