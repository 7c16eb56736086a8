/**
 * POST resume-subscription: the owner undoes a scheduled cancellation (from the portal, or `cancel_at`), so the
 * subscription renews as before. Stripe: "you can reactivate a subscription scheduled for cancellation by
 * updating cancel_at_period_end to false" and clearing `cancel_at` (docs.stripe.com/billing/subscriptions/cancel).
 * Decided on Stripe's current subscription (our row may lag): nothing scheduled there answers `resumed: false`
 * (a repeat). Our row follows from the `customer.subscription.updated` this causes.
 */
import type Stripe from 'stripe';
import { AppError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { resolveOrganisation } from '../repositories/organisations.ts';
import { findLiveSubscription } from '../repositories/subscriptions.ts';
import { stripeUnavailable } from './usage/stripe-errors.ts';

export async function resumeSubscription(
  ctx: AppContext,
  input: { userId: string; orgId?: string | undefined },
): Promise<{ resumed: boolean }> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  const live = await findLiveSubscription(ctx.sql, org.id);
  if (!live)
    throw new AppError(
      'no_active_subscription',
      'This organisation has no subscription to resume: choose a plan to buy instead.',
    );
  let sub: Stripe.Subscription;
  try {
    sub = await ctx.stripe.subscriptions.retrieve(live.stripe_subscription_id);
  } catch (error) {
    throw stripeUnavailable(error, 'read the subscription');
  }
  if (!sub.cancel_at_period_end && sub.cancel_at === null) {
    if (live.cancel_at_period_end || live.cancel_at !== null) return { resumed: false }; // our row lags: done already
    throw new AppError('not_canceling', 'This subscription is not scheduled to end: there is nothing to resume.');
  }
  try {
    await ctx.stripe.subscriptions.update(
      sub.id,
      sub.cancel_at_period_end ? { cancel_at_period_end: false } : { cancel_at: '' },
    );
  } catch (error) {
    throw stripeUnavailable(error, 'resume the subscription');
  }
  ctx.logger.info('scheduled cancellation undone', { org_id: org.id, subscription: sub.id });
  return { resumed: true };
}
