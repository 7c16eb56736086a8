/**
 * GET usage-records (JSON): one page of a cycle's calls, newest first (docs/http-api.md#usage-records). A page asks
 * for one row more than it shows, to know whether another page follows without a count over the cycle.
 */
import type { AppContext } from '../context.ts';
import { listCallsOfCycle, listCyclesOfOrganisation } from '../../repositories/call-log.ts';
import { callView } from './call-view.ts';
import { type CallLogScope, chooseCycle, cycleView } from './choose-cycle.ts';
import { encodePageCursor, type PageCursor } from './page-cursor.ts';

/** Cycles listed for choosing an earlier month: two years of monthly cycles. */
const CYCLES_LISTED = 24;

export async function listUsageRecords(
  ctx: AppContext,
  input: CallLogScope & { cursor?: PageCursor | undefined; limit: number },
) {
  const { organisation, cycle } = await chooseCycle(ctx, input, input.cursor);
  const cycles = await listCyclesOfOrganisation(ctx.sql, organisation.id, CYCLES_LISTED);
  const rows = cycle
    ? await listCallsOfCycle(ctx.sql, { cycleId: cycle.id, after: input.cursor?.after, limit: input.limit + 1 })
    : [];
  const shown = rows.slice(0, input.limit);
  const last = shown.at(-1);
  return {
    organisation: { id: organisation.id, name: organisation.name },
    cycle: cycle ? cycleView(cycle) : null,
    calls: shown.map(callView),
    next_cursor:
      cycle && last && rows.length > input.limit
        ? encodePageCursor({ cycleId: cycle.id, after: { endedAt: last.ended_at_key, id: last.id } })
        : null,
    cycles: cycles.map((c) => ({
      id: c.id,
      period_start: c.period_start.toISOString(),
      period_end: c.period_end.toISOString(),
    })),
  };
}
