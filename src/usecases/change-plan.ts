/**
 * POST change-plan: the owner moves the organisation's live subscription to another plan, keeping its billing
 * period. Both items keep their ids and take the new plan's prices in ONE update, as an operator does in the
 * Dashboard (docs.stripe.com/billing/subscriptions/change-price):
 * - the flat item is prorated with `create_prorations`, Stripe's default: the unused time on the old price is
 *   credited and the rest of the period on the new one charged, both on the next invoice, so nothing is charged
 *   mid-month by surprise;
 * - the metered item: Stripe bills the usage so far through the OLD price on the next invoice and counts from zero
 *   on the new one (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle).
 * Our rows follow from the `customer.subscription.updated` this causes, as for any plan change: the webhook splits
 * the month at the event's moment (split-cycle.ts), which only Stripe knows. So this answers what was asked, and
 * the dashboard shows the new plan once the webhook has landed (within a second or two).
 *
 * Nothing is changed before every refusal has been checked. What to change is decided on Stripe's CURRENT items
 * (re-read), not our row, which may lag behind a change just made: a repeat of it (double click, a retry after a
 * lost answer) finds nothing to do and answers `changed: false`, and a change back right away is not mistaken
 * for "already on that plan". The update sets absolute prices, so two concurrent identical
 * requests change nothing twice; no idempotency key of ours is needed (stripe-node keys its own network retries).
 */
import type Stripe from 'stripe';
import { AppError } from '../errors.ts';
import type { AppContext } from '../http/route.ts';
import { resolveOrganisation } from '../repositories/organisations.ts';
import { findLiveSubscription } from '../repositories/subscriptions.ts';
import { loadPurchasablePlan } from './stripe-events/plan-prices.ts';
import { stripeUnavailable } from './usage/stripe-errors.ts';

export interface ChangePlanInput {
  userId: string;
  planId: string;
  orgId?: string | undefined;
}

export interface ChangedPlan {
  planId: string;
  billingPeriod: 'monthly' | 'yearly';
  /** false when Stripe already had these prices (a repeat): nothing was sent. */
  changed: boolean;
}

/** Statuses in which a change is billed normally; past_due/unpaid first need the open invoice paid. */
const CHANGEABLE = new Set(['active', 'trialing']);

export async function changePlan(ctx: AppContext, input: ChangePlanInput): Promise<ChangedPlan> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  const plan = await loadPurchasablePlan(ctx.sql, input.planId);
  const live = await findLiveSubscription(ctx.sql, org.id);
  if (!live) throw new AppError('no_active_subscription', 'This organisation has no subscription to change: choose a plan to buy instead.');
  if (!CHANGEABLE.has(live.status)) {
    throw new AppError('subscription_not_active', `The subscription is ${live.status}: pay the open invoice first, then change the plan.`);
  }

  const flatPrice = live.billing_period === 'yearly' ? plan.stripeYearlyPriceId : plan.stripePriceId;
  const result = { planId: plan.id, billingPeriod: live.billing_period };
  let sub: Stripe.Subscription;
  try {
    sub = await ctx.stripe.subscriptions.retrieve(live.stripe_subscription_id, { expand: ['items.data.price'] });
  } catch (error) {
    throw stripeUnavailable(error, 'read the subscription');
  }
  const items = repricedItems(sub, flatPrice, plan.stripeMeteredPriceId);
  if (items.length === 0) {
    // Stripe has these prices: our row too (nothing asked), or it lags behind a change just made (a repeat).
    if (live.plan_id === plan.id) throw new AppError('already_on_plan', `The organisation is already on ${plan.name}.`, { field: 'plan_id' });
    return { ...result, changed: false };
  }
  try {
    await ctx.stripe.subscriptions.update(sub.id, { items, proration_behavior: 'create_prorations', metadata: { plan_id: plan.id } });
  } catch (error) {
    throw stripeUnavailable(error, 'change the plan');
  }
  ctx.logger.info('plan change requested', { org_id: org.id, subscription: live.stripe_subscription_id, from: live.plan_id, to: plan.id });
  return { ...result, changed: true };
}

/** The items whose price differs from the plan's: the flat one, and the metered one if the subscription has it yet. */
function repricedItems(sub: Stripe.Subscription, flatPrice: string, meteredPrice: string): Stripe.SubscriptionUpdateParams.Item[] {
  const metered = sub.items.data.find(isMetered);
  const flat = sub.items.data.find((item) => !isMetered(item) && item.price.recurring !== null);
  if (!flat) throw new Error(`subscription ${sub.id} has no flat recurring item`);
  const items: Stripe.SubscriptionUpdateParams.Item[] = [];
  if (flat.price.id !== flatPrice) items.push({ id: flat.id, price: flatPrice });
  // A yearly subscription whose metered item the webhook has not added yet gets it from the webhook, at the new plan.
  if (metered && metered.price.id !== meteredPrice) items.push({ id: metered.id, price: meteredPrice });
  return items;
}

const isMetered = (item: Stripe.SubscriptionItem) => item.price.recurring?.usage_type === 'metered';
