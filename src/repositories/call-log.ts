/**
 * The call log an owner audits (docs/http-api.md#usage-records): the `usage_records` of one billing cycle, newest
 * first, read page by page on the key (ended_at, id) — never by offset, so calls recorded while someone pages (a
 * late call, a call attached by `attach_unbilled_usage`) neither repeat nor push rows past a page boundary. Served
 * by the index `usage_records_cycle_ended_at_idx` (supabase/migrations/20261201001100_usage_records_cycle_index.sql).
 */
import type { Sql } from '../ports/sql.ts';

/** Where a page ends: the last call's `ended_at` to the microsecond (as PostgreSQL keeps it) and its id. */
export interface CallLogKey {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC: a JavaScript Date would drop the microseconds and skip or repeat calls. */
  endedAt: string;
  id: string;
}

export interface CallLogRow {
  id: string;
  call_id: string;
  ended_at: Date;
  /** `ended_at` as a page key (CallLogKey.endedAt). */
  ended_at_key: string;
  /** numeric(12,3) as PostgreSQL writes it ('61.500'): exact. */
  duration_seconds: string;
  billed_minutes: number;
  stripe_status: 'pending' | 'sent' | 'failed' | 'unbilled';
}

export interface CycleOfOrganisation {
  id: string;
  period_start: Date;
  period_end: Date;
  status: 'active' | 'closed';
  included_minutes: number;
  minutes_used: number;
  currency: string;
}

export interface MinutesOnDay {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  calls: number;
  billed_minutes: number;
}

const CYCLE_COLUMNS = 'id, period_start, period_end, status, included_minutes, minutes_used, currency';

/** The organisation's cycle with this id; undefined when there is none (or it is another organisation's). */
export async function findCycleOfOrganisation(
  sql: Sql,
  orgId: string,
  cycleId: string,
): Promise<CycleOfOrganisation | undefined> {
  const rows = await sql.query<CycleOfOrganisation>(
    `select ${CYCLE_COLUMNS} from billing_cycles where id = $1 and org_id = $2`,
    [cycleId, orgId],
  );
  return rows[0] ? toCycle(rows[0]) : undefined;
}

/** The organisation's cycles, newest first (for choosing an earlier month to audit). */
export async function listCyclesOfOrganisation(sql: Sql, orgId: string, limit: number): Promise<CycleOfOrganisation[]> {
  const rows = await sql.query<CycleOfOrganisation>(
    `select ${CYCLE_COLUMNS} from billing_cycles where org_id = $1 order by period_start desc, id desc limit $2`,
    [orgId, limit],
  );
  return rows.map(toCycle);
}

/**
 * Up to `limit` calls of the cycle, newest first, strictly after `after` in that order when given. The key goes in
 * as text and is cast in SQL: as a timestamptz parameter postgres.js would pass it through a JavaScript Date
 * (milliseconds), and calls a microsecond apart would repeat or vanish between pages.
 */
export async function listCallsOfCycle(
  sql: Sql,
  input: { cycleId: string; after?: CallLogKey | undefined; limit: number },
): Promise<CallLogRow[]> {
  const rows = await sql.query<CallLogRow>(
    `select id, call_id, ended_at,
            to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ended_at_key,
            duration_seconds::text as duration_seconds, billed_minutes, stripe_status
       from usage_records
      where billing_cycle_id = $1
        and ($2::text is null or (ended_at, id) < ($2::text::timestamptz, $3::uuid))
      order by ended_at desc, id desc
      limit $4`,
    [input.cycleId, input.after?.endedAt ?? null, input.after?.id ?? null, input.limit],
  );
  return rows.map((r) => ({ ...r, ended_at: new Date(r.ended_at), billed_minutes: Number(r.billed_minutes) }));
}

/** The cycle's calls and billed minutes per UTC day (days without calls are absent). */
export async function sumCycleMinutesByDay(sql: Sql, cycleId: string): Promise<MinutesOnDay[]> {
  const rows = await sql.query<{ day: string; calls: number | string; billed_minutes: number | string }>(
    `select to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as calls,
            sum(billed_minutes) as billed_minutes
       from usage_records where billing_cycle_id = $1
      group by 1 order by 1`,
    [cycleId],
  );
  return rows.map((r) => ({ day: r.day, calls: Number(r.calls), billed_minutes: Number(r.billed_minutes) }));
}

const toCycle = (r: CycleOfOrganisation): CycleOfOrganisation => ({
  ...r,
  period_start: new Date(r.period_start),
  period_end: new Date(r.period_end),
  included_minutes: Number(r.included_minutes),
  minutes_used: Number(r.minutes_used),
});
