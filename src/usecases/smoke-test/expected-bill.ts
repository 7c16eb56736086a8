/**
 * What the smoke test's month must cost, computed from the catalog and the domain's own rules (per-call rounding,
 * the cycle's overage of src/domain/cycles.ts, which the ledger uses too): never a hard-coded amount, so a catalog
 * change moves the expectation with it, and a Stripe invoice that differs from our ledger's figure fails the test.
 */
import { PLANS, SETUP_FEE, type CatalogPlan } from '../../domain/catalog.ts';
import { billedMinutesOf, type CallDuration } from '../../domain/rounding.ts';
import { cycleTotals } from '../../domain/cycles.ts';

/** The plan the smoke test buys: the cheapest, so that three calls go over its included minutes. */
export const SMOKE_PLAN: CatalogPlan = [...PLANS].sort((a, b) => a.monthlyPriceCents - b.monthlyPriceCents)[0]!;

/**
 * Three calls whose durations exercise the rounding (a second over a minute bills a minute more) and, together,
 * pass the plan's included minutes by a few dozen, so that the renewal invoice carries a metered amount.
 */
export function smokeCalls(plan: CatalogPlan = SMOKE_PLAN): CallDuration[] {
  const share = Math.floor(plan.includedMinutes / 3); // three calls of a third each reach the allowance…
  return [{ seconds: share * 60 + 1 }, { seconds: share * 60 + 59 }, { seconds: (share + 40) * 60 + 30 }]; // …and pass it
}

export interface ExpectedBill {
  billedMinutes: number;
  overageMinutes: number;
  overageCents: number;
  /** Subscribing: the first month's flat fee and the one-time setup fee (the metered line is €0 up front). */
  firstInvoiceCents: number;
  /** At the period end: the next month's flat fee plus this month's overage, billed in arrears. */
  renewalInvoiceCents: number;
}

export function expectedBill(plan: CatalogPlan, calls: readonly CallDuration[]): ExpectedBill {
  const billedMinutes = calls.reduce((sum, call) => sum + billedMinutesOf(call), 0);
  const { overageMinutes, overageCostCents: overageCents } = cycleTotals({
    includedMinutes: plan.includedMinutes,
    overageRateCents: plan.overageRateCents,
    minutesUsed: billedMinutes,
  });
  return {
    billedMinutes,
    overageMinutes,
    overageCents,
    firstInvoiceCents: plan.monthlyPriceCents + SETUP_FEE.amountCents,
    renewalInvoiceCents: plan.monthlyPriceCents + overageCents,
  };
}

export const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
