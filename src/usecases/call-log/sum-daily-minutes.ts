/**
 * GET usage-records?view=daily: the cycle's billed minutes per UTC day, every day of the cycle listed (zero when
 * no call ended that day), for the dashboard's chart — one grouped query instead of paging through every call.
 * `totals` sums the same rows: it equals the cycle's `minutes_used` (docs/database.md#billing_cycles, invariant).
 */
import type { AppContext } from '../context.ts';
import { type MinutesOnDay, sumCycleMinutesByDay } from '../../repositories/call-log.ts';
import { type CallLogScope, chooseCycle, cycleView } from './choose-cycle.ts';

const DAY_MS = 86_400_000;
/** A cycle is a month at most (yearly plans meter monthly); a generous bound keeps a bad row from listing years. */
const MAX_DAYS = 400;

export async function sumDailyMinutes(ctx: AppContext, scope: CallLogScope) {
  const { organisation, cycle } = await chooseCycle(ctx, scope);
  const sums = cycle ? await sumCycleMinutesByDay(ctx.sql, cycle.id) : [];
  const days = cycle ? everyDay(cycle.period_start, cycle.period_end, sums) : [];
  return {
    organisation: { id: organisation.id, name: organisation.name },
    cycle: cycle ? cycleView(cycle) : null,
    days: days.map((d) => ({ date: d.day, calls: d.calls, billed_minutes: d.billed_minutes })),
    totals: {
      calls: sums.reduce((n, d) => n + d.calls, 0),
      billed_minutes: sums.reduce((n, d) => n + d.billed_minutes, 0),
    },
  };
}

/** The UTC days from the one holding `start` to the one holding the last instant before `end`, with the sums merged. */
export function everyDay(start: Date, end: Date, sums: MinutesOnDay[]): MinutesOnDay[] {
  const byDay = new Map(sums.map((s) => [s.day, s]));
  const first = Math.floor(start.getTime() / DAY_MS);
  const last = Math.floor((end.getTime() - 1) / DAY_MS);
  for (let d = first; d <= last && d - first < MAX_DAYS; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    if (!byDay.has(day)) byDay.set(day, { day, calls: 0, billed_minutes: 0 });
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
