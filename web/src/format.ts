/**
 * Money and dates for the reader, via Intl in the browser's locale (en-IE when the browser gives none we support).
 * Amounts arrive as integer cents; Intl is handed an exact decimal string (ECMA-402 NumberFormat v3), as in
 * src/domain/money.ts, so large amounts never pass through a float division.
 */
export function readerLocale(): string {
  const wanted = typeof navigator === 'undefined' ? undefined : navigator.language;
  try {
    if (wanted && Intl.NumberFormat.supportedLocalesOf([wanted]).length > 0) return wanted;
  } catch {
    /* an invalid tag falls back below */
  }
  return 'en-IE';
}

export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`cents must be a safe integer, got ${String(cents)}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "€204" for whole amounts, "€183.60" otherwise (`wholeIfExact`), or always two decimals. */
export function formatMoney(
  cents: number,
  currency = 'eur',
  options: { wholeIfExact?: boolean; locale?: string } = {},
): string {
  const whole = options.wholeIfExact === true && cents % 100 === 0;
  return new Intl.NumberFormat(options.locale ?? readerLocale(), {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(centsToDecimal(cents) as Intl.StringNumericLiteral);
}

export function formatDate(iso: string, locale = readerLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}

/** "25 Nov – 25 Dec 2026": Intl collapses what the two ends share. */
export function formatPeriod(startIso: string, endIso: string, locale = readerLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).formatRange(new Date(startIso), new Date(endIso));
}

export function formatMinutes(minutes: number, locale = readerLocale()): string {
  return new Intl.NumberFormat(locale).format(minutes);
}
