/**
 * Per-call rounding (docs/design.md#plans-and-prices, docs/http-api.md#report-usage): minutes are rounded UP per call,
 * so a 61-second call bills 2 minutes. Durations arrive as seconds or minutes, possibly fractional; we convert once to
 * integer MILLISECONDS (sub-millisecond parts are rounded to the nearest ms) and do every later step in integer maths,
 * so that 1.2 minutes is exactly 72,000 ms and bills 2 minutes, never 2 or 3 depending on float error.
 */
export type CallDuration = { seconds: number } | { minutes: number };

export const MILLIS_PER_MINUTE = 60_000;
/** Durations are at most 24 h (docs/http-api.md#report-usage). */
export const MAX_CALL_MILLIS = 24 * 60 * MILLIS_PER_MINUTE;

/**
 * A duration the domain refuses, in the unit it was given: `not_a_duration` (non-finite or negative) or
 * `over_24_hours`. The domain knows no HTTP; record-usage answers it as 400 `invalid_request` on the field.
 */
export class InvalidCallDuration extends RangeError {
  constructor(
    readonly unit: 'seconds' | 'minutes',
    readonly reason: 'not_a_duration' | 'over_24_hours',
  ) {
    super(`call duration in ${unit}: ${reason}`);
    this.name = 'InvalidCallDuration';
  }
}

/** Integer milliseconds of a call. Throws InvalidCallDuration for non-finite, negative or > 24 h durations. */
export function durationToMillis(duration: CallDuration): number {
  const [value, factor, unit] =
    'seconds' in duration
      ? [duration.seconds, 1_000, 'seconds' as const]
      : [duration.minutes, MILLIS_PER_MINUTE, 'minutes' as const];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidCallDuration(unit, 'not_a_duration');
  }
  const ms = Math.round(value * factor);
  if (ms > MAX_CALL_MILLIS) throw new InvalidCallDuration(unit, 'over_24_hours');
  return ms;
}

function assertMillis(ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new RangeError(`milliseconds must be a non-negative integer, got ${String(ms)}`);
}

/** ceil(ms / 60 000) in integer maths: 0 → 0, 60 000 → 1, 60 001 → 2. */
export function billedMinutes(ms: number): number {
  assertMillis(ms);
  const remainder = ms % MILLIS_PER_MINUTE;
  return (ms - remainder) / MILLIS_PER_MINUTE + (remainder > 0 ? 1 : 0);
}

/** Convenience: the billed minutes of a call as reported. */
export const billedMinutesOf = (duration: CallDuration): number => billedMinutes(durationToMillis(duration));

/** "72.000": exact seconds for a `numeric(12,3)` column (no float formatting involved). */
export function millisToSecondsDecimal(ms: number): string {
  assertMillis(ms);
  return `${Math.floor(ms / 1_000)}.${String(ms % 1_000).padStart(3, '0')}`;
}
