/**
 * The usage-alert outbox (supabase/migrations/20261201000900_usage_alerts.sql): rows are queued by the database
 * (one per cycle and kind); here they are claimed, settled and listed. Claiming is ONE statement, as for meter events
 * (usage-outbox.ts): `FOR UPDATE SKIP LOCKED` plus a lease pushing `next_attempt_at` forward, so two deliverers never
 * send the same alert at once, and one that dies mid-send only delays it by a lease.
 */
import type { Sql } from '../ports/sql.ts';

export type UsageAlertKind = 'included_80' | 'included_100' | 'spend_cap_reached';

/** A claimed alert with what its e-mail says. */
export interface ClaimedAlert {
  id: string;
  kind: UsageAlertKind;
  /** Attempts including the one this claim starts. */
  attempts: number;
  orgName: string;
  /** The owner's sign-up e-mail (auth.users); null for a phone-only owner. */
  ownerEmail: string | null;
  periodStart: Date;
  periodEnd: Date;
  includedMinutes: number;
  minutesUsed: number;
  overageCostCents: number;
  currency: string;
  capCents: number | null;
}

interface ClaimedRow {
  id: string;
  kind: UsageAlertKind;
  attempts: number;
  org_name: string;
  owner_email: string | null;
  period_start: Date;
  period_end: Date;
  included_minutes: number;
  minutes_used: number | string;
  overage_cost_cents: number | string;
  currency: string;
  cap_cents: number | string | null;
}

export async function claimDueAlerts(sql: Sql, opts: { limit: number; leaseSeconds: number }): Promise<ClaimedAlert[]> {
  const rows = await sql.query<ClaimedRow>(
    `with due as (
       select id from public.usage_alerts
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at
        limit $1
        for update skip locked
     ), claimed as (
       update public.usage_alerts a
          set next_attempt_at = now() + make_interval(secs => $2::double precision), attempts = a.attempts + 1
         from due where a.id = due.id
       returning a.id, a.kind, a.attempts, a.org_id, a.billing_cycle_id
     )
     select a.id, a.kind, a.attempts, o.name as org_name, u.email as owner_email, c.period_start, c.period_end,
            c.included_minutes, c.minutes_used, c.overage_cost_cents, c.currency,
            o.monthly_overage_cap_cents as cap_cents
       from claimed a
       join public.organisations o on o.id = a.org_id
       join public.billing_cycles c on c.id = a.billing_cycle_id
       left join auth.users u on u.id = o.owner_id`,
    [opts.limit, opts.leaseSeconds],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    attempts: Number(r.attempts),
    orgName: r.org_name,
    ownerEmail: r.owner_email,
    periodStart: new Date(r.period_start),
    periodEnd: new Date(r.period_end),
    includedMinutes: Number(r.included_minutes),
    minutesUsed: Number(r.minutes_used),
    overageCostCents: Number(r.overage_cost_cents),
    currency: r.currency,
    capCents: r.cap_cents == null ? null : Number(r.cap_cents),
  }));
}

export async function markAlertSent(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `update public.usage_alerts set status = 'sent', sent_at = now(), last_error = null
      where id = $1 and status = 'pending'`,
    [id],
  );
}

/** Keeps the alert pending until `delayMs` from now, with why (never an address or a credential). */
export async function markAlertRetry(sql: Sql, id: string, delayMs: number, error: string): Promise<void> {
  await sql.query(
    `update public.usage_alerts
        set next_attempt_at = now() + make_interval(secs => $2::double precision), last_error = left($3, 500)
      where id = $1 and status = 'pending'`,
    [id, delayMs / 1000, error],
  );
}

export async function countPendingAlerts(sql: Sql): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `select count(*) as n from public.usage_alerts where status = 'pending'`,
  );
  return Number(rows[0]?.n ?? 0);
}

export interface CycleAlert {
  kind: UsageAlertKind;
  status: 'pending' | 'sent' | 'no_recipient';
  queuedAt: Date;
  sentAt: Date | null;
}

/** A cycle's alerts, in the order they were queued. */
export async function listCycleAlerts(sql: Sql, cycleId: string): Promise<CycleAlert[]> {
  const rows = await sql.query<{
    kind: UsageAlertKind;
    status: CycleAlert['status'];
    created_at: Date;
    sent_at: Date | null;
  }>(
    `select kind, status, created_at, sent_at from public.usage_alerts where billing_cycle_id = $1
      order by created_at, kind`,
    [cycleId],
  );
  return rows.map((r) => ({
    kind: r.kind,
    status: r.status,
    queuedAt: new Date(r.created_at),
    sentAt: r.sent_at ? new Date(r.sent_at) : null,
  }));
}

/** The owner has no e-mail address: the alert leaves the outbox unsent (retrying cannot help). */
export async function markAlertWithoutRecipient(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `update public.usage_alerts set status = 'no_recipient', last_error = 'the owner has no e-mail address'
      where id = $1 and status = 'pending'`,
    [id],
  );
}
