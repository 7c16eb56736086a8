/**
 * How far ahead a call may end. Stripe takes a meter event at most 5 minutes ahead of the customer's clock
 * (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api); our deliverer resends a refused
 * timestamp stamped "now" on that clock (send-meter-event.ts). So a call's minutes land in the same period in our
 * ledger (the cycle containing `ended_at`) and in Stripe's meter exactly when `ended_at` is at most 5 minutes
 * ahead of the customer's clock, or still inside the period that clock is in. A call beyond both would open next
 * period's cycle ahead of time (record_usage closes the current one) while Stripe bills it in this one.
 *
 * - Live mode: the customer's clock is the real one, ours: at most 5 minutes after our now.
 * - Test mode on a test clock (docs.stripe.com/billing/testing/test-clocks): the clock's frozen time, as the
 *   webhook handler last stored it (repositories/subscription-clock.ts). Only when that stored time would refuse
 *   the call do we read the clock from Stripe (it may have advanced without an event about the subscription), so
 *   a call costs no Stripe request. Stripe unreachable for that read: the call is taken (never lost), with a warning.
 * - Test mode without a test clock, or without a live subscription (the call is not billed): unchanged, taken.
 */
import { AppError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import {
  advanceTestClockTime,
  findSubscriptionClock,
  type SubscriptionClock,
} from '../../repositories/subscription-clock.ts';
import { describeStripeError } from './stripe-errors.ts';

export const MAX_FUTURE_ENDED_AT_MS = 5 * 60_000;

export async function refuseFutureEnd(ctx: AppContext, orgId: string, endedAt: Date | undefined): Promise<void> {
  if (endedAt === undefined) return;
  if (ctx.config.stripe.mode === 'live') {
    if (endedAt.getTime() > ctx.clock.now().getTime() + MAX_FUTURE_ENDED_AT_MS) {
      throw new AppError('invalid_request', 'ended_at lies in the future: a call can end at most 5 minutes from now.', {
        field: 'ended_at',
      });
    }
    return;
  }
  let clock = await findSubscriptionClock(ctx.sql, orgId);
  if (!clock || fits(endedAt, clock)) return;
  try {
    const fresh = await ctx.stripe.testHelpers.testClocks.retrieve(clock.testClockId);
    await advanceTestClockTime(ctx.sql, clock.testClockId, new Date(fresh.frozen_time * 1000));
  } catch (error) {
    ctx.logger.warn('test clock unreadable: call taken without checking ended_at against it', {
      org_id: orgId,
      error: describeStripeError(error),
    });
    return;
  }
  clock = await findSubscriptionClock(ctx.sql, orgId);
  if (!clock || fits(endedAt, clock)) return;
  throw new AppError(
    'invalid_request',
    `ended_at lies in a later billing period than the customer's Stripe test clock (${clock.clockTime.toISOString()}): a call can end at most 5 minutes after it, or before the end of its current period.`,
    { field: 'ended_at' },
  );
}

const fits = (endedAt: Date, clock: SubscriptionClock): boolean =>
  endedAt.getTime() <= clock.clockTime.getTime() + MAX_FUTURE_ENDED_AT_MS ||
  (clock.cycleEnd !== null && endedAt.getTime() < clock.cycleEnd.getTime());
