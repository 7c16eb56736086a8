/**
 * Money as integer minor units + currency (docs/conventions.md#money-time-idempotency). Amounts are euro cents held
 * in a JS number, so every constructor refuses anything that is not a safe integer: beyond 2^53 integer maths silently
 * stops being exact, and a fractional cent means a rounding step was skipped somewhere upstream.
 */
import { CURRENCY, type Currency } from './catalog.ts';

export interface Money {
  readonly amountCents: number;
  readonly currency: Currency;
}

/** Throws RangeError unless `value` is a safe integer; returns it for chaining. */
export function assertSafeCents(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer number of cents, got ${String(value)}`);
  }
  return value;
}

export function money(amountCents: number, currency: Currency = CURRENCY): Money {
  return { amountCents: assertSafeCents(amountCents), currency };
}

/**
 * "€367.00" (en-IE). Intl.NumberFormat is given an exact decimal *string* (ECMA-402 NumberFormat v3, in Node ≥ 19,
 * Deno and current browsers) rather than `cents / 100`, which is inexact for large amounts.
 */
export function formatMoney(m: Money, locale = 'en-IE'): string {
  const cents = assertSafeCents(m.amountCents);
  const abs = Math.abs(cents);
  const decimal = `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency.toUpperCase() }).format(
    decimal as Intl.StringNumericLiteral,
  );
}
