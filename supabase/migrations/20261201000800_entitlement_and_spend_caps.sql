-- Entitlement ("may this call start?") and spend caps (issue 11 §1–2; docs/http-api.md#entitlement).
--
-- 1. An owner's monthly overage cap, in the cycle's currency's minor units; null = no cap. It stops NEW calls once a
--    cycle's overage reaches it (entitlement answers `spend_cap_reached`); a finished call is always recorded.
alter table public.organisations add column if not exists monthly_overage_cap_cents bigint;
alter table public.organisations drop constraint if exists organisations_monthly_overage_cap_cents_check;
alter table public.organisations add constraint organisations_monthly_overage_cap_cents_check
  check (monthly_overage_cap_cents >= 0);

-- 2. The failed invoice a past_due subscription waits on, and when it first failed on Stripe's clock (the event's
--    `created`: a test clock's time in test mode). The grace period (PAST_DUE_GRACE_DAYS) counts from there. Set by
--    the webhook on `invoice.payment_failed` (the first failure of that invoice is kept: Stripe's retries fail again
--    later), cleared once Stripe shows the subscription paid up (src/repositories/payment-failures.ts).
alter table public.subscriptions add column if not exists payment_failed_invoice_id text;
alter table public.subscriptions add column if not exists payment_failed_at timestamptz;

-- 3. The one rule of "the cap is reached", shared by the entitlement query and the alert trigger
--    (20261201000900_usage_alerts.sql): a cap of 0 means "no extra minutes at all", so it is reached as soon as the
--    included minutes are used up; a cap above 0 once the overage cost reaches it.
create or replace function public.spend_cap_reached(
  p_minutes_used bigint, p_included_minutes bigint, p_overage_cost_cents bigint, p_cap_cents bigint
) returns boolean
  language sql immutable
  set search_path = ''
as $$
  select p_cap_cents is not null and p_minutes_used >= p_included_minutes and p_overage_cost_cents >= p_cap_cents
$$;

-- 4. Everything entitlement needs, in ONE statement over indexed lookups (organisations' primary key,
--    subscriptions_org_id_idx, billing_cycles_subscription_id_period_start_key): the organisation's cap, its
--    subscription (the live one, else the latest: as billing-summary), the plan, and the cycle containing Stripe's
--    "now" for it (the test clock's stored time when it has one, else p_now) — as findCycleShownAt picks it.
--    No row: no such organisation.
create or replace function public.entitlement_facts(p_org_id uuid, p_now timestamptz)
returns table (
  org_id uuid,
  monthly_overage_cap_cents bigint,
  subscription_id uuid,
  status text,
  plan_id uuid,
  plan_name text,
  current_period_start timestamptz,
  current_period_end timestamptz,
  stripe_test_clock_id text,
  stripe_clock_time timestamptz,
  payment_failed_at timestamptz,
  period_end timestamptz,
  included_minutes bigint,
  minutes_used bigint,
  overage_minutes bigint,
  overage_cost_cents bigint,
  currency text,
  cap_reached boolean
)
  language sql stable
  set search_path = ''
as $$
  select o.id, o.monthly_overage_cap_cents, s.id, s.status, s.plan_id, p.name, s.current_period_start, s.current_period_end,
         s.stripe_test_clock_id, s.stripe_clock_time, s.payment_failed_at,
         c.period_end, c.included_minutes::bigint, c.minutes_used, c.overage_minutes, c.overage_cost_cents, c.currency,
         coalesce(public.spend_cap_reached(c.minutes_used, c.included_minutes, c.overage_cost_cents,
                                           o.monthly_overage_cap_cents), false)
    from public.organisations o
    left join lateral (
      select * from public.subscriptions s
       where s.org_id = o.id
       order by (s.status in ('trialing', 'active', 'past_due', 'unpaid', 'paused')) desc,
                s.current_period_start desc nulls last, s.created_at desc
       limit 1) s on true
    left join public.billing_plans p on p.id = s.plan_id
    left join lateral (
      select * from public.billing_cycles c
       where c.subscription_id = s.id
       order by (c.period_start <= coalesce(s.stripe_clock_time, p_now)
                 and coalesce(s.stripe_clock_time, p_now) < c.period_end) desc,
                (c.status = 'active') desc, c.period_start desc
       limit 1) c on true
   where o.id = p_org_id
$$;

revoke all on function public.spend_cap_reached(bigint, bigint, bigint, bigint) from public, anon, authenticated;
grant execute on function public.spend_cap_reached(bigint, bigint, bigint, bigint) to service_role;
revoke all on function public.entitlement_facts(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.entitlement_facts(uuid, timestamptz) to service_role;
