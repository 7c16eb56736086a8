/**
 * The figures of one monthly usage cycle (report-usage `cycle`, billing-summary `usage`). Included minutes reset
 * every month, for yearly plans too (docs/design.md#billing-cycles-and-periods). The cost is by definition Stripe's
 * graduated amount for the plan's overage tiers; the closed form below is THE TypeScript overage formula,
 * property-tested against a model of Stripe's tiers (test/support/stripe-tiers.ts) and against the one SQL
 * definition, `public.overage_cost_cents` (test/db/overage-formula.test.ts).
 */
import { assertSafeCents } from './money.ts';

export interface CycleTotals {
  minutesUsed: number;
  overageMinutes: number;
  overageCostCents: number;
}

export function cycleTotals(input: {
  includedMinutes: number;
  overageRateCents: number;
  minutesUsed: number;
}): CycleTotals {
  const { includedMinutes, overageRateCents, minutesUsed } = input;
  for (const [name, value] of Object.entries(input)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  const overageMinutes = Math.max(0, minutesUsed - includedMinutes);
  return {
    minutesUsed,
    overageMinutes,
    overageCostCents: assertSafeCents(overageMinutes * overageRateCents, 'overage cost'),
  };
}
