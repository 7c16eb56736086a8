-- ONE definition of a cycle's overage in SQL (docs/design.md#plans-and-prices): the minutes past the included ones,
-- each at the cycle's overage rate — Stripe's graduated tiers [{up_to: included, 0}, {up_to: inf, rate}] in closed
-- form. Until now the expression was written out in record_usage (20261125000300), in attach_unbilled_usage
-- (20261201000200, after 20261125000300) and in src/repositories/split-cycle.ts. Those now call the two functions
-- below; src/domain/cycles.ts (cycleTotals) is the one TypeScript definition, and test/db/overage-formula.test.ts
-- checks that both agree on generated inputs, past 2^31 too.
--
-- Only function bodies change: record_usage and attach_unbilled_usage are the current definitions verbatim
-- (CREATE OR REPLACE keeps their signatures and grants) except for the two assignments that now call these.
-- bigint in and out, like the counters (20261201000200): an overflow is still PostgreSQL's "bigint out of range".

create or replace function public.overage_minutes(p_included_minutes bigint, p_minutes_used bigint) returns bigint
  language sql immutable
  set search_path = ''
as $$
  select greatest(0, p_minutes_used - p_included_minutes)
$$;

create or replace function public.overage_cost_cents(
  p_included_minutes bigint,
  p_minutes_used bigint,
  p_overage_rate_cents bigint
) returns bigint
  language sql immutable
  set search_path = ''
as $$
  select public.overage_minutes(p_included_minutes, p_minutes_used) * p_overage_rate_cents
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
           overage_minutes = public.overage_minutes(c.included_minutes, c.minutes_used + p_billed_minutes),
           overage_cost_cents = public.overage_cost_cents(c.included_minutes, c.minutes_used + p_billed_minutes,
                                                          c.overage_rate_cents)
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

create or replace function public.attach_unbilled_usage(p_cycle_id uuid) returns integer
  language plpgsql
  set search_path = ''
as $$
declare
  v_cycle public.billing_cycles%rowtype;
  v_customer text;
  v_calls integer;
  v_minutes bigint;
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
  select count(*)::integer, coalesce(sum(a.billed_minutes), 0)::bigint into v_calls, v_minutes from attached a;

  if v_calls > 0 then
    update public.billing_cycles c
       set minutes_used = c.minutes_used + v_minutes,
           overage_minutes = public.overage_minutes(c.included_minutes, c.minutes_used + v_minutes),
           overage_cost_cents = public.overage_cost_cents(c.included_minutes, c.minutes_used + v_minutes,
                                                          c.overage_rate_cents)
     where c.id = v_cycle.id;
  end if;
  return v_calls;
end
$$;

revoke all on function public.overage_minutes(bigint, bigint) from public, anon, authenticated;
grant execute on function public.overage_minutes(bigint, bigint) to service_role;
revoke all on function public.overage_cost_cents(bigint, bigint, bigint) from public, anon, authenticated;
grant execute on function public.overage_cost_cents(bigint, bigint, bigint) to service_role;
