/** `reconciliation_runs`: one row per cycle a reconciliation checked (supabase/migrations/20261201001500_…). */
import type { Sql } from '../ports/sql.ts';

export type ReconciliationStatus = 'clean' | 'settling' | 'drift' | 'unchecked';

export interface ReconciliationRow {
  billingCycleId: string;
  orgId: string;
  stripeCustomerId: string | null;
  windowStart: Date;
  windowEnd: Date;
  ledgerMinutes: number;
  settlingMinutes: number;
  stripeMeterMinutes: number | null;
  invoiceMinutes: number | null;
  meterDifferenceMinutes: number;
  invoiceDifferenceMinutes: number;
  status: ReconciliationStatus;
  finding: string | null;
  repair: string | null;
}

export interface StoredReconciliationRow extends ReconciliationRow {
  id: string;
  runId: string;
  checkedAt: Date;
}

export async function insertReconciliationRow(sql: Sql, runId: string, r: ReconciliationRow): Promise<string> {
  const rows = await sql.query<{ id: string }>(
    `insert into reconciliation_runs (run_id, billing_cycle_id, org_id, stripe_customer_id, window_start, window_end,
       ledger_minutes, settling_minutes, stripe_meter_minutes, invoice_minutes, meter_difference_minutes,
       invoice_difference_minutes, status, finding, repair)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id`,
    [
      runId,
      r.billingCycleId,
      r.orgId,
      r.stripeCustomerId,
      r.windowStart,
      r.windowEnd,
      r.ledgerMinutes,
      r.settlingMinutes,
      r.stripeMeterMinutes,
      r.invoiceMinutes,
      r.meterDifferenceMinutes,
      r.invoiceDifferenceMinutes,
      r.status,
      r.finding?.slice(0, 1000) ?? null,
      r.repair?.slice(0, 1000) ?? null,
    ],
  );
  return rows[0]!.id;
}

interface DbRow {
  id: string;
  run_id: string;
  checked_at: Date | string;
  billing_cycle_id: string;
  org_id: string;
  stripe_customer_id: string | null;
  window_start: Date | string;
  window_end: Date | string;
  ledger_minutes: number | string;
  settling_minutes: number | string;
  stripe_meter_minutes: number | string | null;
  invoice_minutes: number | string | null;
  meter_difference_minutes: number | string;
  invoice_difference_minutes: number | string;
  status: ReconciliationStatus;
  finding: string | null;
  repair: string | null;
}

const orNull = (v: number | string | null) => (v === null ? null : Number(v));

/** The rows of the most recent run (by its first row's time), or none when no run happened yet. */
export async function latestReconciliationRun(sql: Sql): Promise<StoredReconciliationRow[]> {
  const rows = await sql.query<DbRow>(
    `select * from reconciliation_runs
      where run_id = (select run_id from reconciliation_runs order by checked_at desc, id limit 1)
      order by window_start, id`,
  );
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    checkedAt: new Date(r.checked_at),
    billingCycleId: r.billing_cycle_id,
    orgId: r.org_id,
    stripeCustomerId: r.stripe_customer_id,
    windowStart: new Date(r.window_start),
    windowEnd: new Date(r.window_end),
    ledgerMinutes: Number(r.ledger_minutes),
    settlingMinutes: Number(r.settling_minutes),
    stripeMeterMinutes: orNull(r.stripe_meter_minutes),
    invoiceMinutes: orNull(r.invoice_minutes),
    meterDifferenceMinutes: Number(r.meter_difference_minutes),
    invoiceDifferenceMinutes: Number(r.invoice_difference_minutes),
    status: r.status,
    finding: r.finding,
    repair: r.repair,
  }));
}
