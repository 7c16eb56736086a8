/**
 * Billing periods on the calendar, in UTC. A period boundary is the billing cycle anchor plus n intervals;
 * a month that lacks the anchor's day ends on its last day (anchor Jan 31 → Feb 28 → Mar 31), as Stripe does
 * (docs.stripe.com/billing/subscriptions/billing-cycle).
 */
export type Interval = 'day' | 'week' | 'month' | 'year';

export function addIntervals(anchor: number, interval: Interval, count: number, n: number): number {
  const d = new Date(anchor * 1000);
  switch (interval) {
    case 'day':
      return anchor + 86400 * count * n;
    case 'week':
      return anchor + 7 * 86400 * count * n;
    case 'month':
    case 'year': {
      const months = (interval === 'year' ? 12 : 1) * count * n;
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() + months;
      const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      const day = Math.min(d.getUTCDate(), lastDay);
      return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
    }
  }
}

/** The first boundary of the anchor's cycle strictly after `after`. */
export function nextBoundary(anchor: number, interval: Interval, count: number, after: number): number {
  let n = 1;
  // Walk forward; a few hundred steps at most for any realistic span.
  while (addIntervals(anchor, interval, count, n) <= after) n++;
  return addIntervals(anchor, interval, count, n);
}
