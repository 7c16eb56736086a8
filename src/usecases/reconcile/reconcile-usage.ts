/**
 * Reconciliation of the usage ledger with Stripe (README.md beside this file; docs/design.md#reconciliation): for
 * every billing cycle ending after `since`, the ledger's minutes, Stripe's meter summary for the same customer
 * and window, and — once its invoice is finalised — the invoice's metered quantity; the verdict and the figures
 * are stored in `reconciliation_runs`, one row per cycle, under one run id. With `repair`, a drifting cycle gets
 * the safe repairs of repair-cycle.ts, written on its row.
 */
import type { AppContext } from '../context.ts';
import {
  type CycleToReconcile,
  ledgerFigures,
  listCyclesToReconcile,
  listMeteredPriceIds,
} from '../../repositories/reconciliation-ledger.ts';
import {
  insertReconciliationRow,
  type ReconciliationRow,
  type StoredReconciliationRow,
} from '../../repositories/reconciliation-runs.ts';
import { describeStripeError } from '../usage/stripe-errors.ts';
import { judgeCycle } from './judge-cycle.ts';
import { meterWindow } from './meter-window.ts';
import { repairCycle } from './repair-cycle.ts';
import { findUsageMeterId, invoicedMinutes, meterMinutes } from './stripe-figures.ts';

export interface ReconcileOptions {
  /**
   * Cycles ending after this time; default: those ending in the 35 days (Stripe's window for meter event
   * timestamps) before their subscription's own "now" (a test clock's time in test mode).
   */
  since?: Date;
  repair?: boolean;
  /** Calls sent this recently may not show in Stripe's summaries yet (it aggregates asynchronously). Default 300. */
  settleSeconds?: number;
}

export type ReconciledCycle = Omit<StoredReconciliationRow, 'checkedAt'> & { periodStart: Date; periodEnd: Date };

export interface ReconcileResult {
  runId: string;
  /** `since` as given, else 35 days before now (test-clock subscriptions count from their clock's time). */
  since: Date;
  cycles: ReconciledCycle[];
  /** Cycles whose drift no repair of this run fixed, plus those Stripe could not be asked about. */
  unresolved: number;
}

export const DEFAULT_SINCE_DAYS = 35;
export const DEFAULT_SETTLE_SECONDS = 300;

export async function reconcileUsage(ctx: AppContext, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const now = ctx.clock.now();
  const since = opts.since ?? new Date(now.getTime() - DEFAULT_SINCE_DAYS * 86_400_000);
  const runId = crypto.randomUUID();
  const cycles = await listCyclesToReconcile(ctx.sql, { since: opts.since, now, days: DEFAULT_SINCE_DAYS });
  const meteredPrices = new Set(await listMeteredPriceIds(ctx.sql));
  const meterId = cycles.length > 0 ? await findUsageMeterId(ctx.stripe) : undefined;
  const out: ReconciledCycle[] = [];
  let unresolved = 0;
  for (const cycle of cycles) {
    const row = await checkCycle(ctx, cycle, { meterId, meteredPrices, settleSeconds: opts.settleSeconds });
    let fixed = false;
    if (opts.repair && row.status === 'drift' && row.stripeCustomerId && row.meterDifferenceMinutes !== 0) {
      const outcome = await repairCycle(ctx, {
        orgId: row.orgId,
        customer: row.stripeCustomerId,
        window: { from: row.windowStart, to: row.windowEnd },
        meterDifference: row.meterDifferenceMinutes,
      });
      row.repair = outcome?.done ?? null;
      fixed = (outcome?.complete ?? false) && row.invoiceDifferenceMinutes === 0;
    }
    if (row.status === 'unchecked' || (row.status === 'drift' && !fixed)) unresolved++;
    const id = await insertReconciliationRow(ctx.sql, runId, row);
    out.push({ ...row, id, runId, periodStart: cycle.period_start, periodEnd: cycle.period_end });
  }
  return { runId, since, cycles: out, unresolved };
}

async function checkCycle(
  ctx: AppContext,
  cycle: CycleToReconcile,
  o: { meterId: string | undefined; meteredPrices: ReadonlySet<string>; settleSeconds: number | undefined },
): Promise<ReconciliationRow> {
  const window = meterWindow(cycle.period_start, cycle.period_end);
  const ledger = await ledgerFigures(ctx.sql, {
    orgId: cycle.org_id,
    ...window,
    settleSeconds: o.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
  });
  let meter: number | null = null;
  let invoice: number | null = null;
  let problem: string | undefined;
  if (!cycle.stripe_customer_id) problem = 'no Stripe customer for this cycle';
  else if (!o.meterId) problem = 'no active Stripe meter for voice minutes (run doctor --fix)';
  else {
    try {
      meter = await meterMinutes(ctx.stripe, o.meterId, cycle.stripe_customer_id, window);
      if (cycle.stripe_invoice_id)
        invoice = await invoicedMinutes(ctx.stripe, cycle.stripe_invoice_id, o.meteredPrices, window);
    } catch (error) {
      meter = null;
      problem = `Stripe: ${describeStripeError(error)}`;
    }
  }
  const verdict = judgeCycle({ ...ledger, meterMinutes: meter, invoiceMinutes: invoice });
  return {
    billingCycleId: cycle.id,
    orgId: cycle.org_id,
    stripeCustomerId: cycle.stripe_customer_id,
    windowStart: window.from,
    windowEnd: window.to,
    ledgerMinutes: ledger.ledgerMinutes,
    settlingMinutes: verdict.settlingMinutes,
    stripeMeterMinutes: meter,
    invoiceMinutes: invoice,
    meterDifferenceMinutes: verdict.meterDifference,
    invoiceDifferenceMinutes: verdict.invoiceDifference,
    status: verdict.status,
    finding: problem ?? verdict.finding,
    repair: null,
  };
}
