/**
 * The verdict on one cycle from its figures (pure): Stripe's meter and the finalised invoice should each hold the
 * ledger's minutes. Minutes not yet settled (pending calls; calls sent moments ago, which Stripe's asynchronous
 * processing may not show yet) widen what counts as agreement to [ledger − settling, ledger]: a difference inside
 * that margin is accounted for ("settling"), anything beyond it is drift, measured from the nearest edge.
 */
import type { ReconciliationStatus } from '../../repositories/reconciliation-runs.ts';

export interface CycleFigures {
  ledgerMinutes: number;
  pendingMinutes: number;
  failedMinutes: number;
  recentlySentMinutes: number;
  /** null: Stripe could not be asked. */
  meterMinutes: number | null;
  /** null: no finalised invoice for the cycle (open cycle, draft in the grace period, none recorded). */
  invoiceMinutes: number | null;
}

export interface CycleVerdict {
  status: ReconciliationStatus;
  settlingMinutes: number;
  /** Stripe's meter minus the ledger, beyond the settling margin (0 = agrees). */
  meterDifference: number;
  /** The invoice's metered quantity minus the ledger, beyond the settling margin (0 = agrees or no invoice). */
  invoiceDifference: number;
  finding: string | null;
}

/** How far `stripe` lies outside [ledger − settling, ledger]; 0 inside. */
export function unexplained(stripe: number, ledger: number, settling: number): number {
  if (stripe > ledger) return stripe - ledger;
  if (stripe < ledger - settling) return stripe - (ledger - settling);
  return 0;
}

export function judgeCycle(f: CycleFigures): CycleVerdict {
  const settlingMinutes = f.pendingMinutes + f.recentlySentMinutes;
  if (f.meterMinutes === null) {
    return {
      status: 'unchecked',
      settlingMinutes,
      meterDifference: 0,
      invoiceDifference: 0,
      finding: "Stripe's meter summary could not be read",
    };
  }
  const meterDifference = unexplained(f.meterMinutes, f.ledgerMinutes, settlingMinutes);
  const invoiceDifference =
    f.invoiceMinutes === null ? 0 : unexplained(f.invoiceMinutes, f.ledgerMinutes, settlingMinutes);
  const findings: string[] = [];
  if (meterDifference > 0) findings.push(`Stripe's meter holds ${meterDifference} min more than the ledger`);
  if (meterDifference < 0) {
    const failed = f.failedMinutes > 0 ? ` (${f.failedMinutes} min in calls Stripe refused)` : '';
    findings.push(`${-meterDifference} ledger min missing from Stripe's meter${failed}`);
  }
  if (invoiceDifference !== 0) {
    findings.push(
      `the invoice's metered line says ${f.invoiceMinutes} min, the ledger ${f.ledgerMinutes} (${signed(invoiceDifference)})`,
    );
  }
  if (findings.length > 0) {
    return { status: 'drift', settlingMinutes, meterDifference, invoiceDifference, finding: findings.join('; ') };
  }
  const exact = f.meterMinutes === f.ledgerMinutes && (f.invoiceMinutes ?? f.ledgerMinutes) === f.ledgerMinutes;
  return {
    status: exact ? 'clean' : 'settling',
    settlingMinutes,
    meterDifference: 0,
    invoiceDifference: 0,
    finding: exact ? null : `${settlingMinutes} min still settling (pending or just sent)`,
  };
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
