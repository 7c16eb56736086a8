/**
 * The local mirror of Stripe subscriptions. Stripe is the truth; rows here are converged by the webhook handler
 * (usecases/stripe-events/sync-subscription.ts) with a "newer wins" guard on `stripe_synced_at`.
 */
import type { Sql } from '../ports/sql.ts';

/**
 * Statuses in which an organisation HAS a subscription: checkout refuses a second one (409 already_subscribed).
 * The same set as the partial unique index `subscriptions_one_live_per_org`. `incomplete` is left out on
 * purpose: Stripe may leave one behind (first payment never completed, `incomplete_expired` after 23 h) while a
 * later Checkout succeeds. Source: docs.stripe.com/billing/subscriptions/overview#subscription-statuses
 */
export const LIVE_STATUSES = ['trialing', 'active', 'past_due', 'unpaid', 'paused'] as const;

/** Statuses whose metered usage Stripe still bills: the webhook handler keeps a current billing cycle for them. */
export const BILLING_STATUSES = ['trialing', 'active', 'past_due', 'unpaid'] as const;

export interface SubscriptionRow {
  id: string;
  org_id: string;
  plan_id: string;
  stripe_subscription_id: string;
  stripe_customer_id: string;
  status: string;
  billing_period: 'monthly' | 'yearly';
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  cancel_at: Date | null;
  canceled_at: Date | null;
}

export interface SubscriptionState {
  orgId: string;
  planId: string;
  stripeSubscriptionId: string;
  stripeCustomerId: string;
  status: string;
  billingPeriod: 'monthly' | 'yearly';
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  canceledAt: Date | null;
  /** When this state was read from Stripe: an upsert never replaces a row read later than it. */
  syncedAt: Date;
}

const COLUMNS = `id, org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period,
  current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at`;

export async function findLiveSubscription(sql: Sql, orgId: string): Promise<SubscriptionRow | undefined> {
  const rows = await sql.query<SubscriptionRow>(
    `select ${COLUMNS} from subscriptions where org_id = $1 and status = any($2::text[])
     order by current_period_start desc nulls last limit 1`,
    [orgId, [...LIVE_STATUSES]],
  );
  return rows[0];
}

export async function findLiveSubscriptionsOf(sql: Sql, orgId: string): Promise<SubscriptionRow[]> {
  return sql.query<SubscriptionRow>(
    `select ${COLUMNS} from subscriptions where org_id = $1 and status = any($2::text[])`,
    [orgId, [...LIVE_STATUSES]],
  );
}

/**
 * Whether the organisation ever had a subscription that started: anything but `incomplete_expired`, whose first
 * payment never went through (checkout/purchase-terms.ts: only a first subscription pays the setup fee).
 */
export async function hasEverSubscribed(sql: Sql, orgId: string): Promise<boolean> {
  const rows = await sql.query<{ one: number }>(
    `select 1 as one from subscriptions where org_id = $1 and status <> 'incomplete_expired' limit 1`,
    [orgId],
  );
  return rows.length > 0;
}

/** The live subscription if there is one, else the most recently started one (the summary's "subscription"). */
export async function findLatestSubscription(sql: Sql, orgId: string): Promise<SubscriptionRow | undefined> {
  const rows = await sql.query<SubscriptionRow>(
    `select ${COLUMNS} from subscriptions where org_id = $1
     order by (status = any($2::text[])) desc, current_period_start desc nulls last, created_at desc limit 1`,
    [orgId, [...LIVE_STATUSES]],
  );
  return rows[0];
}

/**
 * Insert or update by `stripe_subscription_id`. The `where` clause is the "newer wins" guard (as
 * supabase/stripe-sync-engine does with last_synced_at): a handler that read Stripe earlier but finishes later
 * cannot overwrite what a later read stored. Returns the row id, or undefined when the guard kept a newer row.
 */
export async function upsertSubscription(sql: Sql, s: SubscriptionState): Promise<string | undefined> {
  const rows = await sql.query<{ id: string }>(
    `insert into subscriptions (org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period,
       current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at, stripe_synced_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (stripe_subscription_id) do update set
       org_id = excluded.org_id, plan_id = excluded.plan_id, stripe_customer_id = excluded.stripe_customer_id,
       status = excluded.status, billing_period = excluded.billing_period,
       current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
       cancel_at_period_end = excluded.cancel_at_period_end, cancel_at = excluded.cancel_at,
       canceled_at = excluded.canceled_at, stripe_synced_at = excluded.stripe_synced_at, updated_at = now()
     where subscriptions.stripe_synced_at is null or subscriptions.stripe_synced_at <= excluded.stripe_synced_at
     returning id`,
    [
      s.orgId,
      s.planId,
      s.stripeSubscriptionId,
      s.stripeCustomerId,
      s.status,
      s.billingPeriod,
      s.currentPeriodStart,
      s.currentPeriodEnd,
      s.cancelAtPeriodEnd,
      s.cancelAt,
      s.canceledAt,
      s.syncedAt,
    ],
  );
  return rows[0]?.id;
}

export async function findByStripeId(sql: Sql, stripeSubscriptionId: string): Promise<SubscriptionRow | undefined> {
  const rows = await sql.query<SubscriptionRow>(
    `select ${COLUMNS} from subscriptions where stripe_subscription_id = $1`,
    [stripeSubscriptionId],
  );
  return rows[0];
}
