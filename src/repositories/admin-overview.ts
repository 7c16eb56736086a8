/**
 * The SQL behind the operator console's overview (src/usecases/admin/get-admin-overview.ts): subscriptions and
 * their plans for MRR, the ledger's overage of the current cycles, customers by status and past due, and the
 * pipelines (the meter-event outbox, Stripe events recorded but not applied, voice events nobody pays for).
 * Read-only; lists are capped, counts are not.
 */
import type { Sql } from '../ports/sql.ts';

const LIST_LIMIT = 50;

export interface LiveSubscriptionPrice {
  billing_period: 'monthly' | 'yearly';
  price_cents: number;
  yearly_price_cents: number;
  currency: string;
}

/** What every subscription Stripe still bills pays per period (active, trialing, past_due). */
export async function listLiveSubscriptionPrices(sql: Sql): Promise<LiveSubscriptionPrice[]> {
  const rows = await sql.query<LiveSubscriptionPrice>(
    `select s.billing_period, p.price_cents, p.yearly_price_cents, p.currency
       from subscriptions s join billing_plans p on p.id = s.plan_id
      where s.status in ('active', 'trialing', 'past_due')`,
  );
  return rows.map((r) => ({
    ...r,
    price_cents: Number(r.price_cents),
    yearly_price_cents: Number(r.yearly_price_cents),
  }));
}

/** The overage the ledger has counted in the cycles running now, by currency. */
export async function overageOfCurrentCycles(sql: Sql): Promise<Array<{ currency: string; cents: number }>> {
  const rows = await sql.query<{ currency: string; cents: number | string }>(
    `select currency, coalesce(sum(overage_cost_cents), 0) as cents from billing_cycles
      where status = 'active' group by currency order by currency`,
  );
  return rows.map((r) => ({ currency: r.currency, cents: Number(r.cents) }));
}

/** Organisations by the status of their latest subscription ('none' = never subscribed). */
export async function countCustomersByStatus(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql.query<{ status: string; n: number | string }>(
    `select coalesce(latest.status, 'none') as status, count(*) as n
       from organisations o
       left join lateral (select s.status from subscriptions s where s.org_id = o.id
                           order by s.created_at desc, s.id limit 1) latest on true
      group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface PastDueSubscription {
  org_id: string;
  org_name: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string;
  status: string;
  payment_failed_invoice_id: string | null;
  payment_failed_at: Date | null;
  /** The subscription's test clock time when it lives on one (Stripe's "now" for it), else null. */
  clock_time: Date | null;
}

export async function listPastDueSubscriptions(sql: Sql): Promise<PastDueSubscription[]> {
  const rows = await sql.query<PastDueSubscription>(
    `select o.id as org_id, o.name as org_name, s.stripe_customer_id, s.stripe_subscription_id, s.status,
            s.payment_failed_invoice_id, s.payment_failed_at,
            case when s.stripe_test_clock_id is not null then s.stripe_clock_time end as clock_time
       from subscriptions s join organisations o on o.id = s.org_id
      where s.status in ('past_due', 'unpaid')
      order by s.payment_failed_at nulls last, o.name limit $1`,
    [LIST_LIMIT],
  );
  return rows.map((r) => ({
    ...r,
    payment_failed_at: r.payment_failed_at ? new Date(r.payment_failed_at) : null,
    clock_time: r.clock_time ? new Date(r.clock_time) : null,
  }));
}

export interface DeliveryQueue {
  pending: number;
  failed: number;
  oldestPendingAt: Date | null;
  failures: Array<{ call_id: string; org_name: string; ended_at: Date; billed_minutes: number; error: string | null }>;
}

export async function deliveryQueue(sql: Sql): Promise<DeliveryQueue> {
  const [counts] = await sql.query<{ pending: number | string; failed: number | string; oldest: Date | null }>(
    `select count(*) filter (where stripe_status = 'pending') as pending,
            count(*) filter (where stripe_status = 'failed') as failed,
            min(created_at) filter (where stripe_status = 'pending') as oldest
       from usage_records where stripe_status in ('pending', 'failed')`,
  );
  const failures = await sql.query<DeliveryQueue['failures'][number]>(
    `select u.call_id, o.name as org_name, u.ended_at, u.billed_minutes, u.stripe_last_error as error
       from usage_records u join organisations o on o.id = u.org_id
      where u.stripe_status = 'failed' order by u.ended_at, u.id limit $1`,
    [LIST_LIMIT],
  );
  return {
    pending: Number(counts?.pending ?? 0),
    failed: Number(counts?.failed ?? 0),
    oldestPendingAt: counts?.oldest ? new Date(counts.oldest) : null,
    failures: failures.map((f) => ({ ...f, ended_at: new Date(f.ended_at), billed_minutes: Number(f.billed_minutes) })),
  };
}

export interface UnappliedStripeEvents {
  count: number;
  oldestReceivedAt: Date | null;
  /** Stripe's `created` of the oldest one: where a replay must start listing. */
  oldestCreated: Date | null;
  events: Array<{ id: string; type: string; created: Date; received_at: Date }>;
}

/** Stripe events recorded but never processed (the webhook failed half way, or is failing now). */
export async function unappliedStripeEvents(sql: Sql): Promise<UnappliedStripeEvents> {
  const [counts] = await sql.query<{ n: number | string; oldest: Date | null; oldest_created: Date | null }>(
    `select count(*) as n, min(received_at) as oldest, min(created) as oldest_created
       from stripe_events where processed_at is null`,
  );
  const events = await sql.query<UnappliedStripeEvents['events'][number]>(
    `select id, type, created, received_at from stripe_events where processed_at is null
      order by received_at, id limit $1`,
    [LIST_LIMIT],
  );
  return {
    count: Number(counts?.n ?? 0),
    oldestReceivedAt: counts?.oldest ? new Date(counts.oldest) : null,
    oldestCreated: counts?.oldest_created ? new Date(counts.oldest_created) : null,
    events: events.map((e) => ({ ...e, created: new Date(e.created), received_at: new Date(e.received_at) })),
  };
}

export interface UnbilledVoiceEvents {
  count: number;
  events: Array<{
    platform: string;
    event_id: string;
    status: string;
    reason: string | null;
    call_id: string | null;
    received_at: Date;
  }>;
}

/** Voice-platform calls nobody pays for yet: unattributed (no organisation) or refused by the ledger. */
export async function unbilledVoiceEvents(sql: Sql): Promise<UnbilledVoiceEvents> {
  const [counts] = await sql.query<{ n: number | string }>(
    `select count(*) as n from voice_events where status in ('unattributed', 'failed')`,
  );
  const events = await sql.query<UnbilledVoiceEvents['events'][number]>(
    `select platform, event_id, status, reason, call_id, received_at from voice_events
      where status in ('unattributed', 'failed') order by received_at, event_id limit $1`,
    [LIST_LIMIT],
  );
  return {
    count: Number(counts?.n ?? 0),
    events: events.map((e) => ({ ...e, received_at: new Date(e.received_at) })),
  };
}
