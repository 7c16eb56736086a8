/** The verdict on one cycle's figures: agreement, a difference still settling, and drift measured from the margin. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeCycle, unexplained } from '../../src/usecases/reconcile/judge-cycle.ts';

const figures = { ledgerMinutes: 30, pendingMinutes: 0, failedMinutes: 0, recentlySentMinutes: 0 };

describe('judgeCycle', () => {
  it('is clean when meter and invoice equal the ledger', () => {
    expect(judgeCycle({ ...figures, meterMinutes: 30, invoiceMinutes: 30 })).toMatchObject({
      status: 'clean',
      meterDifference: 0,
      invoiceDifference: 0,
      finding: null,
    });
  });

  it('accounts for pending and just-sent minutes: settling, not drift', () => {
    const v = judgeCycle({
      ...figures,
      pendingMinutes: 4,
      recentlySentMinutes: 2,
      meterMinutes: 24,
      invoiceMinutes: null,
    });
    expect(v).toMatchObject({ status: 'settling', settlingMinutes: 6, meterDifference: 0 });
  });

  it('measures drift beyond the margin, in both directions, and names refused calls', () => {
    expect(judgeCycle({ ...figures, pendingMinutes: 4, meterMinutes: 20, invoiceMinutes: null })).toMatchObject({
      status: 'drift',
      meterDifference: -6,
    });
    expect(judgeCycle({ ...figures, meterMinutes: 37, invoiceMinutes: null })).toMatchObject({
      status: 'drift',
      meterDifference: 7,
      finding: "Stripe's meter holds 7 min more than the ledger",
    });
    expect(judgeCycle({ ...figures, failedMinutes: 5, meterMinutes: 25, invoiceMinutes: null }).finding).toBe(
      "5 ledger min missing from Stripe's meter (5 min in calls Stripe refused)",
    );
  });

  it('flags an invoice that disagrees even when the meter agrees', () => {
    expect(judgeCycle({ ...figures, meterMinutes: 30, invoiceMinutes: 36 })).toMatchObject({
      status: 'drift',
      meterDifference: 0,
      invoiceDifference: 6,
    });
  });

  it('cannot judge without the meter', () => {
    expect(judgeCycle({ ...figures, meterMinutes: null, invoiceMinutes: null }).status).toBe('unchecked');
  });

  it('unexplained is zero exactly inside [ledger − settling, ledger] and the distance to it outside', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000), (stripe, ledger, settling) => {
        const lo = ledger - settling;
        const d = unexplained(stripe, ledger, settling);
        if (stripe >= lo && stripe <= ledger) return d === 0;
        return stripe > ledger ? d === stripe - ledger : d === stripe - lo;
      }),
    );
  });
});
