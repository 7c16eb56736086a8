/** The table `aisyst-billing reconcile` prints: one row per cycle, the three figures and the differences. */
import type { ReconciledCycle } from './reconcile-usage.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);
const figure = (n: number | null) => (n === null ? '-' : String(n));
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export function formatReconciliationTable(cycles: ReconciledCycle[]): string {
  const header = [
    'cycle',
    'customer',
    'ledger',
    'settling',
    'meter',
    'invoice',
    'Δmeter',
    'Δinvoice',
    'status',
    'finding',
  ];
  const cells = cycles.map((c) => [
    `${day(c.periodStart)}..${day(c.periodEnd)}`,
    c.stripeCustomerId ?? '-',
    String(c.ledgerMinutes),
    String(c.settlingMinutes),
    figure(c.stripeMeterMinutes),
    figure(c.invoiceMinutes),
    signed(c.meterDifferenceMinutes),
    signed(c.invoiceDifferenceMinutes),
    c.status,
    [c.finding, c.repair ? `repair: ${c.repair}` : null].filter(Boolean).join(' — '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The JSON form (`--json`, POST reconcile): ISO times, minutes as numbers. */
export function reconciliationJson(cycles: ReconciledCycle[]) {
  return cycles.map((c) => ({
    billing_cycle_id: c.billingCycleId,
    org_id: c.orgId,
    stripe_customer_id: c.stripeCustomerId,
    period_start: c.periodStart.toISOString(),
    period_end: c.periodEnd.toISOString(),
    ledger_minutes: c.ledgerMinutes,
    settling_minutes: c.settlingMinutes,
    stripe_meter_minutes: c.stripeMeterMinutes,
    invoice_minutes: c.invoiceMinutes,
    meter_difference_minutes: c.meterDifferenceMinutes,
    invoice_difference_minutes: c.invoiceDifferenceMinutes,
    status: c.status,
    finding: c.finding,
    repair: c.repair,
  }));
}
