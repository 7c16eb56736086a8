/**
 * What "may this call start?" needs, read in ONE statement: `entitlement_facts` in
 * supabase/migrations/20261201000800_entitlement_and_spend_caps.sql (organisation, cap, subscription, plan, and the
 * cycle containing Stripe's "now" for it — over indexed lookups only).
 */
import type { Sql } from '../ports/sql.ts';

export interface EntitlementFacts {
  orgId: string;
  monthlyOverageCapCents: number | null;
  subscription: null | {
    id: string;
    status: string;
    planId: string;
    planName: string | null;
    currentPeriodStart: Date | null;
    currentPeriodEnd: Date | null;
    testClockId: string | null;
    /** The test clock's time as last stored (a lower bound: the clock may have moved since). */
    clockTime: Date | null;
    /** The first failure of the invoice a past_due subscription waits on, on Stripe's clock. */
    paymentFailedAt: Date | null;
  };
  cycle: null | {
    periodEnd: Date;
    includedMinutes: number;
    minutesUsed: number;
    overageMinutes: number;
    overageCostCents: number;
    currency: string;
    capReached: boolean;
  };
}

interface FactsRow {
  org_id: string;
  monthly_overage_cap_cents: number | string | null;
  subscription_id: string | null;
  status: string | null;
  plan_id: string | null;
  plan_name: string | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  stripe_test_clock_id: string | null;
  stripe_clock_time: Date | null;
  payment_failed_at: Date | null;
  period_end: Date | null;
  included_minutes: number | string | null;
  minutes_used: number | string | null;
  overage_minutes: number | string | null;
  overage_cost_cents: number | string | null;
  currency: string | null;
  cap_reached: boolean;
}

const date = (d: Date | string | null): Date | null => (d == null ? null : new Date(d));

/** Undefined when there is no such organisation. `now`: our clock (a test clock's stored time wins in SQL). */
export async function readEntitlementFacts(sql: Sql, orgId: string, now: Date): Promise<EntitlementFacts | undefined> {
  const rows = await sql.query<FactsRow>('select * from public.entitlement_facts($1, $2)', [orgId, now]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    orgId: r.org_id,
    monthlyOverageCapCents: r.monthly_overage_cap_cents == null ? null : Number(r.monthly_overage_cap_cents),
    subscription: r.subscription_id
      ? {
          id: r.subscription_id,
          status: r.status!,
          planId: r.plan_id!,
          planName: r.plan_name,
          currentPeriodStart: date(r.current_period_start),
          currentPeriodEnd: date(r.current_period_end),
          testClockId: r.stripe_test_clock_id,
          clockTime: date(r.stripe_clock_time),
          paymentFailedAt: date(r.payment_failed_at),
        }
      : null,
    cycle:
      r.period_end == null
        ? null
        : {
            periodEnd: new Date(r.period_end),
            includedMinutes: Number(r.included_minutes),
            minutesUsed: Number(r.minutes_used),
            overageMinutes: Number(r.overage_minutes),
            overageCostCents: Number(r.overage_cost_cents),
            currency: r.currency!,
            capReached: r.cap_reached,
          },
  };
}
