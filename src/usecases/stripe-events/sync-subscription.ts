/**
 * Converge our rows on Stripe's CURRENT state of one subscription (docs/design.md#webhook-pipeline). Events are only a
 * hint that something changed: we re-read the subscription, so applying events in any order, any number of
 * times, ends with the same rows. A slow handler that read Stripe earlier cannot overwrite what a later read
 * stored: the upsert compares `stripe_synced_at` (the time of the read) — see upsertSubscription.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { attachUnbilledUsage, closeCyclesBefore, ensureCycle } from '../../repositories/billing-cycles.ts';
import { saveSubscriptionClock } from '../../repositories/subscription-clock.ts';
import {
  BILLING_STATUSES,
  findByStripeId,
  findLiveSubscriptionsOf,
  upsertSubscription,
} from '../../repositories/subscriptions.ts';
import { applyPlanChange, type MeteredPriceChange } from './apply-plan-change.ts';
import { cancelDuplicateSubscription } from './cancel-duplicate.ts';
import { applyMeteredItemFix, meteredItemFix } from './ensure-metered-item.ts';
import { mapSubscription, type MappedSubscription } from './map-subscription.ts';
import { isResourceMissing, SubscriptionUnknownToStripe } from './not-ours.ts';

export interface SyncedSubscription {
  /** Our subscriptions.id. */
  rowId: string;
  mapped: MappedSubscription;
  subscription: Stripe.Subscription;
}

/** The subscription's test clock, when it lives on one and the read expanded it. */
const testClockOf = (sub: Stripe.Subscription): Stripe.TestHelpers.TestClock | undefined =>
  sub.test_clock && typeof sub.test_clock === 'object' ? sub.test_clock : undefined;
const fromUnix = (s: number | null | undefined): Date | null => (s == null ? null : new Date(s * 1000));
const isBilling = (status: string) => (BILLING_STATUSES as readonly string[]).includes(status);

async function read(ctx: AppContext, id: string): Promise<{ sub: Stripe.Subscription; readAt: Date }> {
  const readAt = ctx.clock.now(); // taken BEFORE the read: a later read always carries a later stamp
  try {
    // `test_clock` expanded: its frozen time is Stripe's "now" for this customer (subscription-clock.ts).
    const sub = await ctx.stripe.subscriptions.retrieve(id, { expand: ['items.data.price', 'test_clock'] });
    return { sub, readAt };
  } catch (error) {
    // A 404 is an answer, not an outage: the handler acknowledges the event as not ours (not-ours.ts).
    if (isResourceMissing(error)) throw new SubscriptionUnknownToStripe(id, { cause: error });
    throw error;
  }
}

export interface SyncOptions {
  /** The id of the event being applied: it scopes the idempotency key of any fix we make at Stripe (ensure-metered-item.ts). */
  eventId: string;
  /** The event reports that the metered price was replaced (when, and by which price): the cycle splits there. */
  meteredPriceChange?: MeteredPriceChange | undefined;
}

export async function syncSubscription(
  ctx: AppContext,
  subscriptionId: string,
  opts: SyncOptions,
): Promise<SyncedSubscription | undefined> {
  const synced = await syncConverged(ctx, subscriptionId, opts.eventId);
  const metered = synced?.mapped.meteredItem;
  // Also when the "newer wins" guard kept a later read: that read's handler may not know the change's moment.
  if (synced && metered && opts.meteredPriceChange && isBilling(synced.subscription.status)) {
    await applyPlanChange(ctx, synced.rowId, opts.meteredPriceChange, {
      start: new Date(metered.current_period_start * 1000),
      end: new Date(metered.current_period_end * 1000),
    });
  }
  return synced;
}

async function syncConverged(
  ctx: AppContext,
  subscriptionId: string,
  eventId: string,
): Promise<SyncedSubscription | undefined> {
  try {
    return await syncOnce(ctx, subscriptionId, eventId);
  } catch (error) {
    if (!isOneLivePerOrgViolation(error)) throw error;
  }
  // Our row of the organisation's previous subscription is stale (its cancellation event is still on its
  // way): re-read those from Stripe too, then try once more.
  const incoming = (await read(ctx, subscriptionId)).sub;
  const orgId = (await mapSubscription(ctx, incoming))?.orgId;
  if (!orgId) return syncOnce(ctx, subscriptionId, eventId);
  const others = (await findLiveSubscriptionsOf(ctx.sql, orgId)).filter(
    (o) => o.stripe_subscription_id !== subscriptionId,
  );
  for (const other of others) await syncOnce(ctx, other.stripe_subscription_id, eventId);
  try {
    return await syncOnce(ctx, subscriptionId, eventId);
  } catch (error) {
    if (!isOneLivePerOrgViolation(error)) throw error;
  }
  // Still conflicting: the other, just re-read from Stripe, is live too — the organisation pays twice. Cancel
  // the newer at Stripe (cancel-duplicate.ts), store it canceled, and converge this one once more.
  const [stored] = (await findLiveSubscriptionsOf(ctx.sql, orgId)).filter(
    (o) => o.stripe_subscription_id !== subscriptionId,
  );
  if (!stored) return syncOnce(ctx, subscriptionId, eventId);
  const canceled = await cancelDuplicateSubscription(
    ctx,
    orgId,
    incoming,
    (await read(ctx, stored.stripe_subscription_id)).sub,
  );
  if (canceled !== subscriptionId) await syncOnce(ctx, canceled, eventId);
  return syncOnce(ctx, subscriptionId, eventId);
}

const isOneLivePerOrgViolation = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23505' &&
  String((error as { message?: string }).message).includes('subscriptions_one_live_per_org');

async function syncOnce(
  ctx: AppContext,
  subscriptionId: string,
  eventId: string,
): Promise<SyncedSubscription | undefined> {
  let { sub, readAt } = await read(ctx, subscriptionId);
  let mapped = await mapSubscription(ctx, sub);
  if (!mapped) return undefined; // no organisation or plan matches: the handler logs it as not ours
  const fix = await meteredItemFix(ctx, sub, mapped, isBilling(sub.status));
  if (fix) {
    await applyMeteredItemFix(ctx, sub, fix, eventId);
    ({ sub, readAt } = await read(ctx, subscriptionId)); // the update's answer may be a replayed, older one
    mapped = (await mapSubscription(ctx, sub)) ?? mapped;
  }
  const m = mapped;

  const rowId = await ctx.sql.transaction(async (tx) => {
    const id = await upsertSubscription(tx, {
      orgId: m.orgId,
      planId: m.plan.id,
      stripeSubscriptionId: sub.id,
      stripeCustomerId: m.customerId,
      status: sub.status,
      billingPeriod: m.billingPeriod,
      currentPeriodStart: fromUnix(m.flatItem.current_period_start)!,
      currentPeriodEnd: fromUnix(m.flatItem.current_period_end)!,
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      cancelAt: fromUnix(sub.cancel_at),
      canceledAt: fromUnix(sub.canceled_at),
      syncedAt: readAt,
    });
    if (!id) return undefined; // a later read is already stored; its handler derived the cycles
    await convergeCycles(tx, id, m, sub);
    return id;
  });
  await saveSubscriptionClock(ctx.sql, sub.id, testClockOf(sub)?.id ?? null, fromUnix(testClockOf(sub)?.frozen_time));
  const finalId = rowId ?? (await findByStripeId(ctx.sql, sub.id))?.id;
  return finalId ? { rowId: finalId, mapped: m, subscription: sub } : undefined;
}

/**
 * The metered item's current period is the current cycle; every earlier one is closed. The current cycle may
 * exist already: record_usage opens it when a call after the renewal arrives before this webhook; ensureCycle
 * then keeps that row and its minutes, taking Stripe's period_end. Calls of the period recorded unbilled before the
 * cycle existed are then counted in it (attach_unbilled_usage).
 */
async function convergeCycles(
  tx: AppContext['sql'],
  rowId: string,
  m: MappedSubscription,
  sub: Stripe.Subscription,
): Promise<void> {
  const metered = m.meteredItem;
  if (!isBilling(sub.status) || !metered) {
    // Canceled / expired / paused: no open usage window. A late report still lands in its (closed) cycle.
    if (!isBilling(sub.status)) await closeCyclesBefore(tx, rowId, undefined);
    return;
  }
  const periodStart = fromUnix(metered.current_period_start)!;
  await ensureCycle(tx, {
    subscriptionId: rowId,
    orgId: m.orgId,
    periodStart,
    periodEnd: fromUnix(metered.current_period_end)!,
    status: 'active',
    includedMinutes: m.plan.includedMinutes,
    overageRateCents: m.plan.overageRateCents,
    currency: m.plan.currency,
  });
  // Calls that ended in this period before the cycle existed (reported between Checkout and this webhook).
  await attachUnbilledUsage(tx, rowId, periodStart);
  await closeCyclesBefore(tx, rowId, periodStart);
}
