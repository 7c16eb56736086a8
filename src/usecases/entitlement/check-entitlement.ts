/**
 * GET entitlement (backend): may a new call of this organisation start? One indexed read
 * (repositories/entitlement.ts), the rule in src/domain/entitlement.ts, the answer of docs/http-api.md#entitlement.
 *
 * Stripe's clock: the grace period of a past_due subscription counts on it, as every period here does. On a test
 * clock its stored time is a lower bound (it moves with the webhooks), so only when that stored time says "still in
 * grace" do we read the clock from Stripe (as usage/future-end.ts does): a check costs no Stripe request otherwise.
 * Stripe unreadable for that read: the stored time answers (a call is never refused for an outage of ours).
 */
import { DEFAULT_PAST_DUE_GRACE_DAYS, decideEntitlement, type EntitlementReason } from '../../domain/entitlement.ts';
import { AppError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { readEntitlementFacts, type EntitlementFacts } from '../../repositories/entitlement.ts';
import { advanceTestClockTime } from '../../repositories/subscription-clock.ts';
import { describeStripeError } from '../usage/stripe-errors.ts';

export interface Entitlement {
  allowed: boolean;
  reason: EntitlementReason;
  plan: { id: string; name: string | null } | null;
  status: string | null;
  period_end: string | null;
  included_minutes: number;
  minutes_used: number;
  minutes_left_included: number;
  overage_minutes: number;
  overage_cost_cents: number;
  spend_cap_cents: number | null;
}

export async function checkEntitlement(ctx: AppContext, orgId: string): Promise<Entitlement> {
  let facts = await read(ctx, orgId);
  let decision = decide(ctx, facts);
  const sub = facts.subscription;
  if (decision.allowed && decision.graceEndsAt && sub?.testClockId && ctx.config.stripe.mode !== 'live') {
    try {
      const fresh = await ctx.stripe.testHelpers.testClocks.retrieve(sub.testClockId);
      await advanceTestClockTime(ctx.sql, sub.testClockId, new Date(fresh.frozen_time * 1000));
      facts = await read(ctx, orgId);
      decision = decide(ctx, facts);
    } catch (error) {
      ctx.logger.warn('test clock unreadable: entitlement answered on its stored time', {
        org_id: orgId,
        error: describeStripeError(error),
      });
    }
  }
  const c = facts.cycle;
  const s = facts.subscription;
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    plan: s ? { id: s.planId, name: s.planName } : null,
    status: s?.status ?? null,
    period_end: (c?.periodEnd ?? s?.currentPeriodEnd)?.toISOString() ?? null,
    included_minutes: c?.includedMinutes ?? 0,
    minutes_used: c?.minutesUsed ?? 0,
    minutes_left_included: c ? Math.max(0, c.includedMinutes - c.minutesUsed) : 0,
    overage_minutes: c?.overageMinutes ?? 0,
    overage_cost_cents: c?.overageCostCents ?? 0,
    spend_cap_cents: facts.monthlyOverageCapCents,
  };
}

async function read(ctx: AppContext, orgId: string): Promise<EntitlementFacts> {
  const facts = await readEntitlementFacts(ctx.sql, orgId, ctx.clock.now());
  if (!facts)
    throw new AppError('organisation_not_found', 'There is no organisation with this id.', { field: 'org_id' });
  return facts;
}

function decide(ctx: AppContext, facts: EntitlementFacts) {
  const sub = facts.subscription;
  return decideEntitlement({
    status: sub?.status ?? null,
    // Unknown (a row from before the webhook stored it): the renewal whose invoice failed started the period.
    paymentFailedAt: sub?.paymentFailedAt ?? sub?.currentPeriodStart ?? null,
    capReached: facts.cycle?.capReached ?? false,
    // Stripe's "now" for the customer: the test clock's stored time in test mode, else ours.
    now: (sub?.testClockId && sub.clockTime) || ctx.clock.now(),
    graceDays: ctx.config.pastDueGraceDays ?? DEFAULT_PAST_DUE_GRACE_DAYS,
  });
}
