/**
 * The smoke test's expectation comes from the catalog and the domain's rules, so a catalog change moves it: for
 * every plan, its three calls are valid calls that pass the included minutes, and the overage it expects (the
 * ledger's closed form, cycleTotals) is what Stripe's graduated tiers charge for those minutes
 * (test/support/stripe-tiers.ts, the model of Stripe's maths).
 */
import { describe, expect, it } from 'vitest';
import { PLANS, SETUP_FEE } from '../../src/domain/catalog.ts';
import { billedMinutesOf, durationToMillis, MAX_CALL_MILLIS } from '../../src/domain/rounding.ts';
import { expectedBill, SMOKE_PLAN, smokeCalls } from '../../src/usecases/smoke-test/expected-bill.ts';
import { graduatedAmountCents, overageTiers } from '../support/stripe-tiers.ts';

describe('the smoke test’s expected bill', () => {
  it('buys the cheapest plan', () => {
    expect(SMOKE_PLAN.monthlyPriceCents).toBe(Math.min(...PLANS.map((p) => p.monthlyPriceCents)));
  });

  it.each(PLANS.map((p) => [p.name, p] as const))(
    'on %s: three valid calls over the allowance, priced as Stripe’s tiers price them',
    (_name, plan) => {
      const calls = smokeCalls(plan);
      expect(calls).toHaveLength(3);
      for (const call of calls) expect(durationToMillis(call)).toBeLessThanOrEqual(MAX_CALL_MILLIS);
      // Each call bills a whole minute more than its whole minutes: the per-call rounding is exercised.
      for (const call of calls) expect(billedMinutesOf(call)).toBe(Math.floor(durationToMillis(call) / 60_000) + 1);
      const bill = expectedBill(plan, calls);
      const stripeCharges = graduatedAmountCents(
        overageTiers(plan.includedMinutes, plan.overageRateCents),
        bill.billedMinutes,
      );
      expect(bill.overageMinutes).toBe(bill.billedMinutes - plan.includedMinutes);
      expect(bill.overageMinutes).toBeGreaterThan(0);
      expect(bill.overageCents).toBe(stripeCharges);
      expect(bill.firstInvoiceCents).toBe(plan.monthlyPriceCents + SETUP_FEE.amountCents);
      expect(bill.renewalInvoiceCents).toBe(plan.monthlyPriceCents + stripeCharges);
    },
  );
});
