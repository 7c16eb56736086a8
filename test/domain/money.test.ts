import { describe, expect, it } from 'vitest';
import { assertSafeCents, formatMoney, money } from '../../src/domain/money.ts';

describe('money', () => {
  it('holds integer euro cents', () => {
    expect(money(36_700)).toEqual({ amountCents: 36_700, currency: 'eur' });
    expect(money(0)).toEqual({ amountCents: 0, currency: 'eur' });
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, 0.1 + 0.2])(
    'refuses %s cents',
    (bad) => {
      expect(() => money(bad)).toThrow(RangeError);
      expect(() => assertSafeCents(bad)).toThrow(RangeError);
    },
  );

  it('formats for people with Intl, exactly even for huge amounts', () => {
    expect(formatMoney(money(36_700))).toBe('€367.00');
    expect(formatMoney(money(50))).toBe('€0.50');
    expect(formatMoney(money(220_320))).toBe('€2,203.20');
    expect(formatMoney(money(-5))).toBe('-€0.05');
    expect(formatMoney(money(Number.MAX_SAFE_INTEGER))).toBe('€90,071,992,547,409.91');
    expect(formatMoney(money(220_320), 'de-DE')).toBe('2.203,20\u00a0€');
  });
});
