/**
 * Optional response latency, so that a benchmark against the emulator sees Stripe's round trips rather than a
 * millisecond. Every answer waits `latencyMs` with uniform jitter of ±20 % (e.g. 150 → 120..180 ms).
 */
export const LATENCY_JITTER = 0.2;

export function responseDelayMs(latencyMs: number | undefined, random: () => number = Math.random): number {
  if (!latencyMs || latencyMs <= 0) return 0;
  return Math.round(latencyMs * (1 - LATENCY_JITTER + 2 * LATENCY_JITTER * random()));
}
