/**
 * The usage ledger: one finished call recorded through `public.record_usage`
 * (supabase/migrations/20261125000300_record_usage.sql), which inserts it under its unique call_id, adds its
 * minutes to the billing cycle containing `ended_at` and queues it for Stripe, in one statement.
 */
import type { Sql } from '../ports/sql.ts';

export type RecordUsageOutcome = 'recorded' | 'duplicate' | 'conflict' | 'unbilled' | 'organisation_not_found';

/** A cycle's figures after the call (or, for a duplicate, now). Timestamps: ISO 8601 UTC with milliseconds. */
export interface LedgerCycle {
  id: string;
  period_start: string;
  period_end: string;
  minutes_used: number;
  included_minutes: number;
  overage_minutes: number;
  overage_cost_cents: number;
  currency: string;
}

export interface RecordUsageResult {
  outcome: RecordUsageOutcome;
  callId: string;
  /** For a duplicate: the original call's. */
  billedMinutes: number;
  orgId: string;
  /** null when unbilled, conflicting, unknown org, or a duplicate of an unbilled call. */
  cycle: LedgerCycle | null;
}

export interface RecordUsageInput {
  orgId: string;
  callId: string;
  /**
   * Seconds as a decimal string (exact; at most 3 decimals are kept: numeric(12,3)) or a number.
   * Must satisfy billedMinutes = ceil(durationSeconds / 60) after rounding to milliseconds (a CHECK refuses
   * anything else).
   */
  durationSeconds: string | number;
  billedMinutes: number;
  /** Picks the billing cycle; undefined = the database's now(). */
  endedAt?: Date | undefined;
}

export async function recordUsage(sql: Sql, input: RecordUsageInput): Promise<RecordUsageResult> {
  const [row] = await sql.query<{ result: unknown }>(
    'select public.record_usage($1::uuid, $2::text, $3::numeric, $4::integer, $5::timestamptz) as result',
    [
      input.orgId,
      input.callId,
      String(input.durationSeconds),
      input.billedMinutes,
      input.endedAt?.toISOString() ?? null,
    ],
  );
  const raw = row?.result;
  const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as {
    outcome: RecordUsageOutcome;
    call_id: string;
    billed_minutes: number;
    org_id: string;
    cycle: LedgerCycle | null;
  };
  return { outcome: r.outcome, callId: r.call_id, billedMinutes: r.billed_minutes, orgId: r.org_id, cycle: r.cycle };
}
