-- The money-moving step of report-usage as ONE function, called in one statement: atomic on PGlite,
-- PostgreSQL and through PostgREST `rpc` alike (supabase-js cannot run a transaction, docs/design.md#supabase).
--
-- Invariants (docs/design.md#architecture-and-invariants):
--  1. a call_id is counted once: the unique key on usage_records.call_id decides, ON CONFLICT DO NOTHING;
--     a concurrent twin waits on the key and then finds the first row;
--  4. a cycle's minutes_used is the sum of its calls' billed minutes: the cycle row is locked
--     (FOR UPDATE) and incremented in the same transaction as the call is inserted and linked;
--  2. the call becomes an outbox row ('pending', with the customer to bill) in that same transaction.
--
-- A billing system must never lose a call. Cycles are made by the webhook handler from the metered item's period,
-- so at a renewal a call ending just after the period end (00:00:30 on Dec 1) may be reported BEFORE the renewal
-- webhook has made the December cycle. Such a call is not left unbilled while the organisation has a live
-- subscription: `open_next_billing_cycle` opens the immediately next period itself, computed as Stripe computes it,
-- and the webhook later finds that very row (same subscription_id and period_start) and keeps its minutes.
--
-- Returns jsonb:
--   {outcome: 'recorded'|'duplicate'|'conflict'|'unbilled'|'organisation_not_found',
--    call_id, billed_minutes, org_id,
--    cycle: null | {id, period_start, period_end, minutes_used, included_minutes, overage_minutes,
--                   overage_cost_cents, currency}}
-- Timestamps are ISO 8601 UTC with milliseconds ('2026-11-01T00:00:00.000Z'), whatever the session TimeZone.
-- SECURITY INVOKER: its only caller is the service role (BYPASSRLS, table grants) or the owner.

create or replace function public.billing_cycle_json(c public.billing_cycles) returns jsonb
  language sql immutable
  set search_path = ''
as $$
  select case when c.id is null then null else jsonb_build_object(
    'id', c.id,
    'period_start', to_char(c.period_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'period_end', to_char(c.period_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'minutes_used', c.minutes_used,
    'included_minutes', c.included_minutes,
    'overage_minutes', c.overage_minutes,
    'overage_cost_cents', c.overage_cost_cents,
    'currency', c.currency
  ) end
$$;

-- The next cycle of an organisation whose renewal webhook has not arrived yet: a live subscription (the
-- statuses of `subscriptions_one_live_per_org`) not ending by `p_at` (a scheduled cancellation later counts as live), whose latest
-- cycle ended at or before `p_at`, and `p_at` inside the period that follows it. Returns that period's cycle id
-- (inserted here, or by a concurrent twin or the webhook handler), or null when it opened nothing. The caller
-- (record_usage) then looks for the cycle containing `p_at` again; none → the call stays unbilled.
--
-- The period is Stripe's: a monthly boundary is the billing cycle anchor plus m months, and a month lacking the
-- anchor's day ends on its last day: "a billing cycle anchor date of January 31 bills the last day of the month
-- closest to the anchor date, so February 28 (or February 29 in a leap year), then March 31, April 30"
-- (docs.stripe.com/billing/subscriptions/billing-cycle). PostgreSQL's `timestamp + interval 'n months'` clamps
-- the same way, so every boundary is computed from the anchor itself (never from the previous boundary: Feb 28
-- + 1 month would be Mar 28), in UTC. The anchor is the subscription's FIRST cycle's start (we do not store
-- Stripe's billing_cycle_anchor). Where that guess is off (a yearly plan's metered item added seconds after the
-- start, an anchor reset by a plan change), the webhook corrects it: ensureCycle takes Stripe's period_end for
-- the same period_start, or closes the cycle when Stripe's period starts elsewhere (the meter events still reach
-- Stripe with their own timestamps, so the invoice is right either way).
--
-- Only the immediately next period is opened: a call further ahead means the webhook is late by a whole month,
-- something else is wrong, and the call stays visible as unbilled.
--
-- Race-free: the insert is ON CONFLICT DO NOTHING on (subscription_id, period_start), so a concurrent twin (or
-- the webhook's ensureCycle) waits on the key and then finds the winner's row; the caller locks that row
-- (FOR UPDATE) before counting. Lock order is the new cycle, then the previous one — as in the webhook handler
-- (ensureCycle, then closeCyclesBefore) — so the two cannot deadlock.
create or replace function public.open_next_billing_cycle(p_org_id uuid, p_at timestamptz) returns uuid
  language plpgsql
  set search_path = ''
as $$
declare
  v_last public.billing_cycles%rowtype;
  v_cancel_at timestamptz;
  v_anchor timestamp; -- UTC wall time
  v_last_end timestamp; -- UTC wall time
  v_months integer;
  v_end timestamptz;
  v_id uuid;
begin
  select c.* into v_last
    from public.billing_cycles c
    join public.subscriptions s on s.id = c.subscription_id
   where c.org_id = p_org_id
     and s.org_id = p_org_id
     and s.status in ('trialing', 'active', 'past_due', 'unpaid', 'paused')
     -- Not `canceled_at is null`: Stripe sets canceled_at when a cancellation is REQUESTED (cancel_at,
     -- cancel_at_period_end), not when it takes effect (docs.stripe.com/api/subscriptions/object#subscription_object-canceled_at);
     -- the status and cancel_at say whether the subscription still runs at p_at.
     and (s.cancel_at is null or s.cancel_at > p_at)
   order by c.period_start desc
   limit 1;
  if v_last.id is null or p_at < v_last.period_end then
    return null; -- no live subscription, or its cycles already cover p_at (the webhook just made one) or not
  end if;
  select s.cancel_at into v_cancel_at from public.subscriptions s where s.id = v_last.subscription_id;

  select min(c.period_start) at time zone 'UTC' into v_anchor
    from public.billing_cycles c where c.subscription_id = v_last.subscription_id;
  v_last_end := v_last.period_end at time zone 'UTC';
  -- Start one month below the calendar distance (that boundary is always earlier) and step to the first
  -- boundary after the last cycle's end.
  v_months := greatest(1, ((extract(year from v_last_end) - extract(year from v_anchor)) * 12
                           + extract(month from v_last_end) - extract(month from v_anchor))::integer - 1);
  loop
    v_end := (v_anchor + make_interval(months => v_months)) at time zone 'UTC';
    exit when v_end > v_last.period_end;
    v_months := v_months + 1;
  end loop;
  -- A subscription set to cancel inside that period ends there (Stripe's last period stops at cancel_at).
  v_end := least(v_end, v_cancel_at);
  if p_at >= v_end then
    return null;
  end if;

  insert into public.billing_cycles (subscription_id, org_id, period_start, period_end, status, included_minutes,
    overage_rate_cents, currency)
  values (v_last.subscription_id, v_last.org_id, v_last.period_end, v_end, 'active', v_last.included_minutes,
    v_last.overage_rate_cents, v_last.currency)
  on conflict (subscription_id, period_start) do nothing
  returning id into v_id;
  if v_id is null then
    -- A twin or the webhook made it first; this statement's fresh snapshot (READ COMMITTED) sees its row.
    select c.id into v_id from public.billing_cycles c
     where c.subscription_id = v_last.subscription_id and c.period_start = v_last.period_end;
  end if;

  -- The renewal moved on: the previous period is over (as closeCyclesBefore does on the webhook). Its late
  -- calls still land in it: record_usage picks a cycle by period, whatever its status.
  update public.billing_cycles c set status = 'closed' where c.id = v_last.id and c.status = 'active';
  return v_id;
end
$$;

create or replace function public.record_usage(
  p_org_id uuid,
  p_call_id text,
  p_duration_seconds numeric,
  p_billed_minutes integer,
  p_ended_at timestamptz default null
) returns jsonb
  language plpgsql
  set search_path = ''
as $$
declare
  v_ended_at timestamptz := coalesce(p_ended_at, now());
  v_call public.usage_records%rowtype;
  v_cycle public.billing_cycles%rowtype;
  v_attempt integer;
  v_customer text;
  v_outcome text;
begin
  if not exists (select 1 from public.organisations where id = p_org_id) then
    return jsonb_build_object('outcome', 'organisation_not_found', 'call_id', p_call_id,
      'billed_minutes', p_billed_minutes, 'org_id', p_org_id, 'cycle', null);
  end if;

  insert into public.usage_records (org_id, call_id, duration_seconds, billed_minutes, ended_at, stripe_status)
  values (p_org_id, p_call_id, p_duration_seconds, p_billed_minutes, v_ended_at, 'unbilled')
  on conflict (call_id) do nothing
  returning * into v_call;

  if not found then
    -- Already recorded (a retry, or a twin that committed while we waited on the key). Each statement of
    -- a volatile function takes a fresh snapshot under READ COMMITTED, so the winner's row is visible here.
    select * into v_call from public.usage_records where call_id = p_call_id;
    if v_call.org_id is distinct from p_org_id
       or v_call.duration_seconds is distinct from round(p_duration_seconds, 3) then
      return jsonb_build_object('outcome', 'conflict', 'call_id', p_call_id,
        'billed_minutes', p_billed_minutes, 'org_id', p_org_id, 'cycle', null);
    end if;
    select * into v_cycle from public.billing_cycles where id = v_call.billing_cycle_id;
    return jsonb_build_object('outcome', 'duplicate', 'call_id', v_call.call_id,
      'billed_minutes', v_call.billed_minutes, 'org_id', v_call.org_id,
      'cycle', public.billing_cycle_json(v_cycle));
  end if;

  -- The cycle containing the call's end (any status: a late report still lands in its own period). Should
  -- an organisation hold overlapping cycles (an old subscription's and a new one's), the active, newest wins.
  -- None yet: the renewal webhook may be behind the call. Open the live subscription's next period (or find the
  -- one a twin or the webhook handler just made) and look once more, with a fresh snapshot (READ COMMITTED): the
  -- cycle found is whichever now contains the call, Stripe's own end included.
  for v_attempt in 1..2 loop
    select c.* into v_cycle
      from public.billing_cycles c
     where c.org_id = p_org_id and c.period_start <= v_ended_at and v_ended_at < c.period_end
     order by (c.status = 'active') desc, c.period_start desc
     limit 1
     for update;
    exit when v_cycle.id is not null or v_attempt = 2;
    perform public.open_next_billing_cycle(p_org_id, v_ended_at);
  end loop;

  if v_cycle.id is null then
    v_outcome := 'unbilled';
  else
    update public.billing_cycles c
       set minutes_used = c.minutes_used + p_billed_minutes,
           overage_minutes = greatest(0, c.minutes_used + p_billed_minutes - c.included_minutes),
           overage_cost_cents = greatest(0, c.minutes_used + p_billed_minutes - c.included_minutes)
                                * c.overage_rate_cents
     where c.id = v_cycle.id
    returning c.* into v_cycle;

    select coalesce(s.stripe_customer_id, o.stripe_customer_id) into v_customer
      from public.subscriptions s
      join public.organisations o on o.id = s.org_id
     where s.id = v_cycle.subscription_id;

    update public.usage_records
       set billing_cycle_id = v_cycle.id,
           stripe_status = 'pending',
           stripe_customer_id = v_customer,
           stripe_next_attempt_at = now()
     where id = v_call.id;
    v_outcome := 'recorded';
  end if;

  return jsonb_build_object('outcome', v_outcome, 'call_id', v_call.call_id,
    'billed_minutes', v_call.billed_minutes, 'org_id', v_call.org_id,
    'cycle', public.billing_cycle_json(v_cycle));
end
$$;

-- Calls recorded 'unbilled' because their cycle did not exist yet: a call ending after Checkout but before our
-- first subscription webhook was handled (record_usage answered 409 no_active_subscription). When the webhook
-- handler makes the cycle (sync-subscription's convergeCycles, right after ensureCycle) it calls this, and the
-- organisation's unbilled calls ending inside the cycle's period are counted in it, as record_usage would have:
-- linked, queued for Stripe ('pending', the customer to bill, due now) and their minutes added, overage
-- recomputed with the same formula. Returns how many calls it attached (0 on a repeat: they are no longer unbilled).
--
-- One statement under the cycle's row lock (FOR UPDATE), the lock record_usage takes before counting, so
-- minutes_used stays the sum of its calls (docs/design.md#architecture-and-invariants, row 4). The update re-checks
-- `stripe_status = 'unbilled' and billing_cycle_id is null` on each row it locks, so a call is never attached twice. A
-- call still being inserted by a concurrent record_usage is invisible here; that call then finds the cycle itself.
create or replace function public.attach_unbilled_usage(p_cycle_id uuid) returns integer
  language plpgsql
  set search_path = ''
as $$
declare
  v_cycle public.billing_cycles%rowtype;
  v_customer text;
  v_calls integer;
  v_minutes integer;
begin
  select c.* into v_cycle from public.billing_cycles c where c.id = p_cycle_id for update;
  if v_cycle.id is null then
    return 0;
  end if;

  select coalesce(s.stripe_customer_id, o.stripe_customer_id) into v_customer
    from public.subscriptions s
    join public.organisations o on o.id = s.org_id
   where s.id = v_cycle.subscription_id;

  with attached as (
    update public.usage_records u
       set billing_cycle_id = v_cycle.id,
           stripe_status = 'pending',
           stripe_customer_id = v_customer,
           stripe_next_attempt_at = now()
     where u.org_id = v_cycle.org_id
       and u.stripe_status = 'unbilled'
       and u.billing_cycle_id is null
       and u.ended_at >= v_cycle.period_start and u.ended_at < v_cycle.period_end
    returning u.billed_minutes
  )
  select count(*)::integer, coalesce(sum(a.billed_minutes), 0)::integer into v_calls, v_minutes from attached a;

  if v_calls > 0 then
    update public.billing_cycles c
       set minutes_used = c.minutes_used + v_minutes,
           overage_minutes = greatest(0, c.minutes_used + v_minutes - c.included_minutes),
           overage_cost_cents = greatest(0, c.minutes_used + v_minutes - c.included_minutes) * c.overage_rate_cents
     where c.id = v_cycle.id;
  end if;
  return v_calls;
end
$$;

revoke all on function public.record_usage(uuid, text, numeric, integer, timestamptz) from public, anon, authenticated;
grant execute on function public.record_usage(uuid, text, numeric, integer, timestamptz) to service_role;
revoke all on function public.open_next_billing_cycle(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.open_next_billing_cycle(uuid, timestamptz) to service_role;
revoke all on function public.billing_cycle_json(public.billing_cycles) from public, anon, authenticated;
grant execute on function public.billing_cycle_json(public.billing_cycles) to service_role;
revoke all on function public.attach_unbilled_usage(uuid) from public, anon, authenticated;
grant execute on function public.attach_unbilled_usage(uuid) to service_role;
