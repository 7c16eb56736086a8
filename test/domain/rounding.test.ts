import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  billedMinutes,
  billedMinutesOf,
  durationToMillis,
  InvalidCallDuration,
  MAX_CALL_MILLIS,
  millisToSecondsDecimal,
  type CallDuration,
} from '../../src/domain/rounding.ts';

describe('per-call rounding', () => {
  it.each<[CallDuration, number, number]>([
    [{ seconds: 0 }, 0, 0],
    [{ seconds: 60 }, 60_000, 1],
    [{ seconds: 61 }, 61_000, 2],
    [{ seconds: 0.001 }, 1, 1],
    [{ seconds: 59.9999 }, 60_000, 1], // sub-millisecond parts round to the nearest ms first
    [{ seconds: 60.0004 }, 60_000, 1],
    [{ seconds: 60.0005 }, 60_001, 2],
    [{ minutes: 1.2 }, 72_000, 2], // 1.2 × 60 000 is 72 000.00000000001 in floats; rounded to ms it is exact
    [{ minutes: 0.1 + 0.2 }, 18_000, 1],
    [{ minutes: 1 }, 60_000, 1],
    [{ minutes: 0.9999999 }, 60_000, 1],
    [{ minutes: 1.00001 }, 60_001, 2],
    [{ minutes: 3 }, 180_000, 3],
    [{ minutes: 1_440 }, MAX_CALL_MILLIS, 1_440],
    [{ seconds: 86_400 }, MAX_CALL_MILLIS, 1_440],
  ])('%o → %i ms → %i billed minutes', (duration, ms, minutes) => {
    expect(durationToMillis(duration)).toBe(ms);
    expect(billedMinutes(ms)).toBe(minutes);
    expect(billedMinutesOf(duration)).toBe(minutes);
  });

  it.each<[CallDuration, InvalidCallDuration['unit'], InvalidCallDuration['reason']]>([
    [{ seconds: -1 }, 'seconds', 'not_a_duration'],
    [{ seconds: Number.NaN }, 'seconds', 'not_a_duration'],
    [{ seconds: Number.POSITIVE_INFINITY }, 'seconds', 'not_a_duration'],
    [{ seconds: 86_400.001 }, 'seconds', 'over_24_hours'],
    [{ minutes: -0.5 }, 'minutes', 'not_a_duration'],
    [{ minutes: 1_440.0001 }, 'minutes', 'over_24_hours'],
    [{ minutes: '3' as unknown as number }, 'minutes', 'not_a_duration'],
  ])('refuses %o naming its unit and why', (duration, unit, reason) => {
    const error = (() => {
      try {
        durationToMillis(duration);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidCallDuration);
    expect(error).toMatchObject({ unit, reason });
  });

  it('refuses non-integer or negative milliseconds', () => {
    expect(() => billedMinutes(1.5)).toThrow(RangeError);
    expect(() => billedMinutes(-1)).toThrow(RangeError);
    expect(() => millisToSecondsDecimal(-1)).toThrow(RangeError);
  });

  it('writes exact seconds for numeric(12,3)', () => {
    expect(millisToSecondsDecimal(72_000)).toBe('72.000');
    expect(millisToSecondsDecimal(0)).toBe('0.000');
    expect(millisToSecondsDecimal(61_005)).toBe('61.005');
    expect(millisToSecondsDecimal(MAX_CALL_MILLIS)).toBe('86400.000');
  });

  it('property: billed minutes are the smallest whole minutes covering the call', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CALL_MILLIS }), (ms) => {
        const minutes = billedMinutes(ms);
        expect(minutes * 60_000).toBeGreaterThanOrEqual(ms);
        expect(Math.max(0, minutes - 1) * 60_000).toBeLessThan(Math.max(ms, 1));
      }),
      { numRuns: 1_000 },
    );
  });

  it('property: seconds and the same duration given in minutes bill the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (seconds) => {
        expect(billedMinutesOf({ minutes: seconds / 60 })).toBe(billedMinutesOf({ seconds }));
        expect(billedMinutesOf({ seconds })).toBe(Math.ceil(seconds / 60));
      }),
    );
  });

  it('property: millisToSecondsDecimal round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CALL_MILLIS }), (ms) => {
        expect(durationToMillis({ seconds: Number(millisToSecondsDecimal(ms)) })).toBe(ms);
      }),
    );
  });
});
