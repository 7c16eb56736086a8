-- A cycle's minute and money counters become 64-bit. As `integer` they overflowed at 2^31 - 1: past
-- €21,474,836.47 of overage in one cycle every further call of that organisation failed with
-- "integer out of range" (a 500, the call not recorded). bigint holds 9.2e18; the TypeScript side reads int8
-- as a number up to 2^53 (src/adapters/db: both drivers), far past any cycle.
--
-- `alter column … type bigint` converts every row in place (integer → bigint is exact): nothing is lost, and the
-- CHECK constraints and indexes on these columns are kept. The table is rewritten under an ACCESS EXCLUSIVE lock,
-- briefly: billing_cycles holds one row per organisation and month.
--
-- What computes with them follows on its own: record_usage() and split-cycle.ts add an integer to the column
-- (integer + bigint is bigint, `overage × rate` too) and read rows as `billing_cycles%rowtype`. Only
-- attach_unbilled_usage() kept a sum in an `integer` variable; it is replaced below with a bigint one, otherwise
-- unchanged.
alter table public.billing_cycles
  alter column minutes_used type bigint,
  alter column overage_minutes type bigint,
  alter column overage_cost_cents type bigint;

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
           overage_minutes = greatest(0, c.minutes_used + v_minutes - c.included_minutes),
           overage_cost_cents = greatest(0, c.minutes_used + v_minutes - c.included_minutes) * c.overage_rate_cents
     where c.id = v_cycle.id;
  end if;
  return v_calls;
end
$$;
