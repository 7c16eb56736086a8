/**
 * A downgrade waits for the period end as a Stripe subscription schedule
 * (docs.stripe.com/billing/subscriptions/subscription-schedules, "Upgrading or downgrading a subscription"): the
 * schedule is made `from_subscription` (one phase: what the subscription has now, to its period end) and gets a
 * second phase with the cheaper plan's prices, one period long; Stripe enters it at the renewal, bills the ended
 * month's minutes on the old plan's tiers, and then releases the subscription (`end_behavior: release`). Releasing
 * the schedule earlier cancels the pending change (docs.stripe.com/api/subscription_schedules/release).
 * Stripe is the only record of it: billing-summary reads it back from the subscription's schedule.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { findPlanByPriceIds } from '../../repositories/plans.ts';
import { describeStripeError, stripeUnavailable } from '../usage/stripe-errors.ts';

export interface PendingChange {
  scheduleId: string;
  plan: { id: string; name: string };
  /** When the next phase starts: the current period's end. */
  effectiveAt: Date;
}

const idOf = (ref: string | { id: string } | null | undefined) =>
  ref == null ? undefined : typeof ref === 'string' ? ref : ref.id;

/** The schedule's next phase, as a change of plan; undefined without an active schedule or a later phase. */
export async function pendingChangeOf(
  ctx: AppContext,
  schedule: Stripe.SubscriptionSchedule | null | undefined,
): Promise<PendingChange | undefined> {
  if (schedule?.status !== 'active' || !schedule.current_phase) return undefined;
  const next = schedule.phases.find((p) => p.start_date >= schedule.current_phase!.end_date);
  if (!next) return undefined;
  const plan = await findPlanByPriceIds(ctx.sql, next.items.map((i) => idOf(i.price)!).filter(Boolean));
  if (!plan) return undefined;
  return {
    scheduleId: schedule.id,
    plan: { id: plan.id, name: plan.name },
    effectiveAt: new Date(next.start_date * 1000),
  };
}

/** The subscription's schedule, expanded (a retrieve with `expand: ['schedule']` already carries it). */
export async function scheduleOf(
  ctx: AppContext,
  sub: Stripe.Subscription,
): Promise<Stripe.SubscriptionSchedule | undefined> {
  if (!sub.schedule) return undefined;
  if (typeof sub.schedule !== 'string') return sub.schedule;
  try {
    return await ctx.stripe.subscriptionSchedules.retrieve(sub.schedule);
  } catch (error) {
    throw stripeUnavailable(error, 'read the subscription schedule');
  }
}

/**
 * Puts the new prices on a phase that starts at the current period's end, reusing the subscription's schedule
 * (a pending change to another plan is replaced). Two racing requests may both try to create one: the loser finds
 * the winner's schedule attached and updates that instead. Returns when the change takes effect.
 */
export async function scheduleChange(
  ctx: AppContext,
  sub: Stripe.Subscription,
  prices: { flat: string; metered: string; planId: string },
): Promise<Date> {
  try {
    let schedule = await scheduleOf(ctx, sub);
    if (!schedule) {
      try {
        schedule = await ctx.stripe.subscriptionSchedules.create({ from_subscription: sub.id });
      } catch (error) {
        const again = await ctx.stripe.subscriptions.retrieve(sub.id, { expand: ['schedule'] });
        if (!again.schedule) throw error;
        schedule = again.schedule as Stripe.SubscriptionSchedule;
      }
    }
    const current =
      schedule.phases.find((p) => p.start_date === schedule!.current_phase?.start_date) ?? schedule.phases[0]!;
    const updated = await ctx.stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: 'release',
      phases: [
        {
          items: current.items.map((i) => ({
            price: idOf(i.price)!,
            ...(i.quantity !== undefined ? { quantity: i.quantity } : {}),
          })),
          start_date: current.start_date,
          end_date: current.end_date,
        },
        {
          items: [{ price: prices.flat, quantity: 1 }, { price: prices.metered }],
          // One period of the new plan, then the schedule releases the subscription, which renews on as it is.
          duration: {
            interval: sub.items.data.some((i) => i.price.recurring?.interval === 'year') ? 'year' : 'month',
            interval_count: 1,
          },
          metadata: { plan_id: prices.planId },
          proration_behavior: 'none',
        },
      ],
    });
    return new Date(updated.phases[1]!.start_date * 1000);
  } catch (error) {
    throw stripeUnavailable(error, 'schedule the plan change');
  }
}

/** Cancels the pending change: the schedule lets go of the subscription, which keeps its current plan. */
export async function cancelPendingChange(ctx: AppContext, scheduleId: string): Promise<void> {
  try {
    await ctx.stripe.subscriptionSchedules.release(scheduleId);
  } catch (error) {
    // Already released (a repeat, or the phase began meanwhile): nothing is pending any more.
    const again = await ctx.stripe.subscriptionSchedules.retrieve(scheduleId).catch(() => undefined);
    if (again && again.status !== 'active' && again.status !== 'not_started') return;
    throw stripeUnavailable(error, 'cancel the pending plan change');
  }
}

/**
 * For billing-summary: the downgrade waiting for the period end, read from Stripe (the subscription's schedule);
 * null when none, or when Stripe cannot be asked (the dashboard then shows no pending change rather than failing).
 */
export async function readPendingChange(ctx: AppContext, stripeSubscriptionId: string): Promise<PendingChange | null> {
  try {
    const sub = await ctx.stripe.subscriptions.retrieve(stripeSubscriptionId, { expand: ['schedule'] });
    return (await pendingChangeOf(ctx, await scheduleOf(ctx, sub))) ?? null;
  } catch (error) {
    ctx.logger.warn('pending plan change unavailable for billing summary', { error: describeStripeError(error) });
    return null;
  }
}
