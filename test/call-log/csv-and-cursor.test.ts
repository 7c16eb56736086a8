/** The call log's two formats of its own: CSV cells (RFC 4180 quoting, formula guard) and the opaque page cursor. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvLine, csvText, csvValue } from '../../src/usecases/call-log/csv.ts';
import { decodePageCursor, encodePageCursor } from '../../src/usecases/call-log/page-cursor.ts';
import { everyDay } from '../../src/usecases/call-log/sum-daily-minutes.ts';
import { readCsv } from './support.ts';

describe('CSV cells', () => {
  it('read back as written, whatever the text: commas, quotes, line breaks, any Unicode', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (cells) => {
        const guarded = cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c));
        expect(readCsv(csvLine(cells.map(csvText)))).toEqual([guarded]);
      }),
    );
  });

  it('make text that would start a formula into text, and leave our own numbers alone', () => {
    expect(['=1+1', '+1', '-1', '@A1', '\tx', '\rx', "'x", 'x=1'].map(csvText)).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@A1",
      "'\tx",
      `"'\rx"`,
      "'x",
      'x=1',
    ]);
    expect([csvValue(-1), csvValue('2026-11-01T00:00:00.000Z'), csvValue(true)]).toEqual([
      '-1',
      '2026-11-01T00:00:00.000Z',
      'true',
    ]);
  });
});

describe('page cursor', () => {
  it('round-trips and is opaque (base64url only)', () => {
    const cursor = {
      cycleId: '2f1c7a52-8a0e-4c5b-9a53-1b2c3d4e5f60',
      after: { endedAt: '2026-11-04T10:00:00.123456Z', id: '9d4f4c3e-1111-4222-8333-444455556666' },
    };
    const text = encodePageCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageCursor(text)).toEqual(cursor);
  });

  it('refuses anything it did not make, as a 400 on the cursor field', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          decodePageCursor(text);
          return false;
        } catch (error) {
          return (error as { code?: string; details?: { field?: string } }).details?.field === 'cursor';
        }
      }),
    );
  });
});

describe('days of a cycle', () => {
  it('lists each UTC day from the start to the last instant before the end, once, with the sums merged', () => {
    const days = everyDay(new Date('2026-11-15T13:45:00Z'), new Date('2026-12-15T13:45:00Z'), [
      { day: '2026-11-20', calls: 2, billed_minutes: 7 },
    ]);
    expect(days).toHaveLength(31);
    expect(days[0]).toEqual({ day: '2026-11-15', calls: 0, billed_minutes: 0 });
    expect(days.at(-1)).toEqual({ day: '2026-12-15', calls: 0, billed_minutes: 0 });
    expect(days[5]).toEqual({ day: '2026-11-20', calls: 2, billed_minutes: 7 });
    expect(everyDay(new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'), [])).toHaveLength(30);
  });
});
