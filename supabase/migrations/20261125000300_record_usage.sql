-- The money-moving step of report-usage as ONE function, called in one statement: atomic on PGlite,
-- PostgreSQL and through PostgREST `rpc` alike (supabase-js cannot run a transaction, DESIGN §3).
--
-- Invariants (DESIGN §4):
--  1. a call_id is counted once: the unique key on usage_records.call_id decides, ON CONFLICT DO NOTHING;
--     a concurrent twin waits on the key and then finds the first row;
--  4. a cycle's minutes_used is the sum of its calls' billed minutes: the cycle row is locked
--     (FOR UPDATE) and incremented in the same transaction as the call is inserted and linked;
--  2. the call becomes an outbox row ('pending', with the customer to bill) in that same transaction.
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
  select c.* into v_cycle
    from public.billing_cycles c
   where c.org_id = p_org_id and c.period_start <= v_ended_at and v_ended_at < c.period_end
   order by (c.status = 'active') desc, c.period_start desc
   limit 1
   for update;

  if not found then
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

revoke all on function public.record_usage(uuid, text, numeric, integer, timestamptz) from public, anon, authenticated;
grant execute on function public.record_usage(uuid, text, numeric, integer, timestamptz) to service_role;
revoke all on function public.billing_cycle_json(public.billing_cycles) from public, anon, authenticated;
grant execute on function public.billing_cycle_json(public.billing_cycles) to service_role;
