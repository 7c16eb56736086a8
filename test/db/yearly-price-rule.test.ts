/**
 * One rule for a yearly price (issue 14): twelve months less 10 %, rounded to the nearest cent. The catalog's
 * yearlyPriceCents (src/domain/catalog.ts) and the SQL that back-fills an adopted database's missing yearly prices
 * (supabase/migrations/20261125000100_billing_schema.sql: `round(price_cents * 12 * 0.9)::integer`) agree on every
 * monthly price, whole or not after the discount.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { yearlyPriceCents } from '../../src/domain/catalog.ts';
import { describeEachDatabase } from '../support/database.ts';

const INT32_MAX = 2 ** 31 - 1;

describeEachDatabase('the yearly price rule', (db) => {
  it('property: yearlyPriceCents equals the migration back-fill on the same monthly price', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: Math.floor(INT32_MAX / 12) }), async (monthly) => {
        const [row] = await db.sql.query<{ yearly: string }>(
          'select round($1::integer * 12 * 0.9)::integer::text as yearly',
          [monthly],
        );
        expect(String(yearlyPriceCents(monthly))).toBe(row!.yearly);
      }),
      { numRuns: 300, examples: [[1], [7], [20_400], [36_600], [62_400], [0]] },
    );
  });

  it('rounds a discounted total that is not whole to the nearest cent instead of refusing it', () => {
    expect(yearlyPriceCents(1)).toBe(11); // 10.8
    expect(yearlyPriceCents(7)).toBe(76); // 75.6
    expect(yearlyPriceCents(3)).toBe(32); // 32.4
    expect(yearlyPriceCents(20_400)).toBe(220_320);
    expect(() => yearlyPriceCents(-1)).toThrow(RangeError);
    expect(() => yearlyPriceCents(0.5)).toThrow(RangeError);
  });
});
