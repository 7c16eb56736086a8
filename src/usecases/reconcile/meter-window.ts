/**
 * The window Stripe's meter is asked about for a cycle. Event summaries take whole minutes
 * (docs.stripe.com/api/billing/meter-event-summary/list: start_time and end_time "must be aligned with minute
 * boundaries"), so both ends of the cycle are rounded DOWN to the minute: adjacent cycles keep adjacent windows
 * (no call counted twice or lost between them) and the ledger is summed over exactly the same window.
 */
export interface MeterWindow {
  from: Date;
  to: Date;
}

const MINUTE_MS = 60_000;

export function meterWindow(periodStart: Date, periodEnd: Date): MeterWindow {
  const floor = (d: Date) => new Date(Math.floor(d.getTime() / MINUTE_MS) * MINUTE_MS);
  return { from: floor(periodStart), to: floor(periodEnd) };
}

export const unixSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
