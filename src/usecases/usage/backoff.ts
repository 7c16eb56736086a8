/**
 * Retry delays of the meter-event outbox: exponential from 2 s, capped at 1 h, with "equal jitter" (half fixed,
 * half random) so that many rows failed by one outage do not all come back in the same second
 * (aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter). Never gives up: a row stays pending until
 * Stripe answers, because dropping it would lose billable usage (docs/design.md#usage-ledger-and-meter-delivery).
 */
export const BASE_DELAY_MS = 2_000;
export const MAX_DELAY_MS = 3_600_000;

/** Delay before the next try after `attempts` failed ones (≥ 1); `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
