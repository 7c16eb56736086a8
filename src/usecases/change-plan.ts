/**
 * POST change-plan: the owner moves the live subscription to another plan in the same billing period. An upgrade
 * re-prices both items now in one update; a downgrade waits for the period end as a subscription schedule's next
 * phase (a mid-month switch down would hand out a second allowance); asking for the current plan cancels a pending
 * downgrade. Every refusal is checked before anything changes, and what to change is decided on Stripe's current
 * items (re-read), so a repeat answers `changed: false`. Why each choice: docs/design.md#plan-changes.
 */
import type Stripe from 'stripe';
import { AppError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { resolveOrganisation } from '../repositories/organisations.ts';
import { findLiveSubscription } from '../repositories/subscriptions.ts';
import {
  cancelPendingChange,
  pendingChangeOf,
  scheduleChange,
  scheduleOf,
  type PendingChange,
} from './plan-change/pending-change.ts';
import { isUpgrade } from './plan-change/plan-rank.ts';
import { previewDowngrade, previewUpgrade, type PlanChangePreview } from './plan-change/preview.ts';
import { findPlanByPriceIds } from '../repositories/plans.ts';
import { loadPurchasablePlan } from './checkout/purchasable-plan.ts';
import { stripeUnavailable } from './usage/stripe-errors.ts';

export interface ChangePlanInput {
  userId: string;
  planId: string;
  orgId?: string | undefined;
  /** Only say what the change would cost (plan-change/preview.ts); change nothing. */
  preview?: boolean;
}

export interface ChangedPlan {
  planId: string;
  billingPeriod: 'monthly' | 'yearly';
  /** false when Stripe already had this (a repeat): nothing was sent. */
  changed: boolean;
  /** When the plan takes effect: null = now; a date = the period end (a scheduled downgrade). */
  effectiveAt: Date | null;
  /** The downgrade still pending after this request, if any. */
  pendingChange: Omit<PendingChange, 'scheduleId'> | null;
}

/** Statuses in which a change is billed normally; past_due/unpaid first need the open invoice paid. */
const CHANGEABLE = new Set(['active', 'trialing']);

export async function changePlan(ctx: AppContext, input: ChangePlanInput & { preview?: false }): Promise<ChangedPlan>;
export async function changePlan(
  ctx: AppContext,
  input: ChangePlanInput & { preview: true },
): Promise<PlanChangePreview>;
export async function changePlan(ctx: AppContext, input: ChangePlanInput): Promise<ChangedPlan | PlanChangePreview> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  const plan = await loadPurchasablePlan(ctx.sql, input.planId);
  const live = await findLiveSubscription(ctx.sql, org.id);
  if (!live)
    throw new AppError(
      'no_active_subscription',
      'This organisation has no subscription to change: choose a plan to buy instead.',
    );
  if (!CHANGEABLE.has(live.status)) {
    throw new AppError(
      'subscription_not_active',
      `The subscription is ${live.status}: pay the open invoice first, then change the plan.`,
    );
  }

  const flatPrice = live.billing_period === 'yearly' ? plan.stripeYearlyPriceId : plan.stripePriceId;
  const result = { planId: plan.id, billingPeriod: live.billing_period };
  let sub: Stripe.Subscription;
  try {
    sub = await ctx.stripe.subscriptions.retrieve(live.stripe_subscription_id, {
      expand: ['items.data.price', 'schedule'],
    });
  } catch (error) {
    throw stripeUnavailable(error, 'read the subscription');
  }
  const pending = await pendingChangeOf(ctx, await scheduleOf(ctx, sub));
  const items = repricedItems(sub, flatPrice, plan.stripeMeteredPriceId);
  if (input.preview && items.length === 0)
    throw new AppError('already_on_plan', `The organisation is already on ${plan.name}.`, { field: 'plan_id' });
  if (items.length === 0) {
    // Stripe has these prices. A pending downgrade: asking to stay cancels it.
    if (pending) {
      await cancelPendingChange(ctx, pending.scheduleId);
      ctx.logger.info('pending plan change canceled', {
        org_id: org.id,
        subscription: sub.id,
        kept: plan.id,
        was_to: pending.plan.id,
      });
      return { ...result, changed: true, effectiveAt: null, pendingChange: null };
    }
    // Our row too (nothing asked), or it lags behind a change just made (a repeat).
    if (live.plan_id === plan.id)
      throw new AppError('already_on_plan', `The organisation is already on ${plan.name}.`, { field: 'plan_id' });
    return { ...result, changed: false, effectiveAt: null, pendingChange: null };
  }

  const current = await findPlanByPriceIds(ctx.sql, [flatItemOf(sub).price.id]);
  if (current && !(await isUpgrade(ctx.sql, current.id, plan.id))) {
    if (input.preview) return previewDowngrade(new Date(flatItemOf(sub).current_period_end * 1000), sub.currency);
    if (pending?.plan.id === plan.id)
      return { ...result, changed: false, effectiveAt: pending.effectiveAt, pendingChange: withoutId(pending) };
    const effectiveAt = await scheduleChange(ctx, sub, {
      flat: flatPrice,
      metered: plan.stripeMeteredPriceId,
      planId: plan.id,
    });
    ctx.logger.info('plan change scheduled for the period end', {
      org_id: org.id,
      subscription: sub.id,
      from: current.id,
      to: plan.id,
      at: effectiveAt.toISOString(),
    });
    return {
      ...result,
      changed: true,
      effectiveAt,
      pendingChange: { plan: { id: plan.id, name: plan.name }, effectiveAt },
    };
  }

  if (input.preview) return previewUpgrade(ctx, sub, items);
  if (pending) await cancelPendingChange(ctx, pending.scheduleId); // the upgrade replaces it
  try {
    await ctx.stripe.subscriptions.update(sub.id, {
      items,
      proration_behavior: 'create_prorations',
      metadata: { plan_id: plan.id },
    });
  } catch (error) {
    throw stripeUnavailable(error, 'change the plan');
  }
  ctx.logger.info('plan change requested', {
    org_id: org.id,
    subscription: live.stripe_subscription_id,
    from: live.plan_id,
    to: plan.id,
  });
  return { ...result, changed: true, effectiveAt: null, pendingChange: null };
}

const withoutId = ({ plan, effectiveAt }: PendingChange) => ({ plan, effectiveAt });

/** The items whose price differs from the plan's: the flat one, and the metered one if the subscription has it yet. */
function repricedItems(
  sub: Stripe.Subscription,
  flatPrice: string,
  meteredPrice: string,
): Stripe.SubscriptionUpdateParams.Item[] {
  const metered = sub.items.data.find(isMetered);
  const flat = flatItemOf(sub);
  const items: Stripe.SubscriptionUpdateParams.Item[] = [];
  if (flat.price.id !== flatPrice) items.push({ id: flat.id, price: flatPrice });
  // A yearly subscription whose metered item the webhook has not added yet gets it from the webhook, at the new plan.
  if (metered && metered.price.id !== meteredPrice) items.push({ id: metered.id, price: meteredPrice });
  return items;
}

const isMetered = (item: Stripe.SubscriptionItem) => item.price.recurring?.usage_type === 'metered';

function flatItemOf(sub: Stripe.Subscription): Stripe.SubscriptionItem {
  const flat = sub.items.data.find((item) => !isMetered(item) && item.price.recurring !== null);
  if (!flat) throw new Error(`subscription ${sub.id} has no flat recurring item`);
  return flat;
}
