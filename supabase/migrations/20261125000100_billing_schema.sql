-- The billing tables (docs/database.md#tables) and the constraints that make the invariants of
-- docs/design.md#architecture-and-invariants true in the database itself, whatever code writes to it.
--
-- This file also ADOPTS the original Supabase project (its tables were created by hand, see the original
-- notes' "Phase 0B"): amount columns named *_aud_cents held euro cents and are renamed in place, missing
-- columns are added and back-filled, constraints are (re)created under PostgreSQL's default names so that a
-- hand-made `<table>_<column>_check` is replaced rather than doubled. Nothing is dropped or truncated.
-- On a fresh database the `create table if not exists` statements make the tables and the rest is the same
-- path. PG15-compatible (no uuidv7), ids from gen_random_uuid(). The runner wraps this file in ONE
-- transaction: either all of it applies or nothing does.

-- 1. Adopt: rename the original project's columns before anything refers to the new names.
do $$
declare
  r record;
begin
  for r in
    select * from (values
      ('billing_plans', 'price_aud_cents', 'price_cents'),
      ('billing_plans', 'yearly_price_aud_cents', 'yearly_price_cents'),
      ('billing_plans', 'overage_rate_aud_cents', 'overage_rate_cents'),
      ('billing_plans', 'setup_fee_aud_cents', 'setup_fee_cents'),
      ('billing_cycles', 'overage_cost_aud_cents', 'overage_cost_cents'),
      ('billing_cycles', 'overage_rate_aud_cents', 'overage_rate_cents')
    ) as t(tbl, old_name, new_name)
  loop
    if exists (select 1 from information_schema.columns
               where table_schema = 'public' and table_name = r.tbl and column_name = r.old_name)
       and not exists (select 1 from information_schema.columns
               where table_schema = 'public' and table_name = r.tbl and column_name = r.new_name) then
      execute format('alter table public.%I rename column %I to %I', r.tbl, r.old_name, r.new_name);
    end if;
  end loop;
end
$$;

-- 2. Tables (fresh database). Columns, keys and references only; every rule is added in step 4 so that
-- fresh and adopted databases end with the very same constraints.
create table if not exists public.organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  owner_id uuid not null references auth.users (id),
  stripe_customer_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.billing_plans (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  included_minutes integer not null default 0
);

create table if not exists public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organisations (id),
  plan_id uuid not null references public.billing_plans (id),
  stripe_subscription_id text not null
);

create table if not exists public.billing_cycles (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid not null references public.subscriptions (id),
  org_id uuid not null references public.organisations (id),
  period_start timestamptz not null,
  period_end timestamptz not null
);

create table if not exists public.usage_records (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organisations (id),
  call_id text not null
);

create table if not exists public.stripe_events (
  id text primary key,
  type text not null,
  created timestamptz not null
);

-- 3. Columns an adopted table may lack (no-ops on a fresh database that already has them).
alter table public.organisations
  add column if not exists stripe_customer_id text,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists updated_at timestamptz not null default now();

alter table public.billing_plans
  add column if not exists code text,
  add column if not exists model_type text not null default 'tiered',
  add column if not exists currency text not null default 'eur',
  add column if not exists price_cents integer,
  add column if not exists yearly_price_cents integer,
  add column if not exists overage_rate_cents integer not null default 0,
  add column if not exists setup_fee_cents integer not null default 0,
  add column if not exists stripe_price_id text,
  add column if not exists stripe_yearly_price_id text,
  add column if not exists stripe_metered_price_id text,
  add column if not exists sort_order integer not null default 0,
  add column if not exists active boolean not null default true,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists updated_at timestamptz not null default now();

alter table public.subscriptions
  add column if not exists stripe_customer_id text,
  add column if not exists status text not null default 'incomplete',
  add column if not exists billing_period text not null default 'monthly',
  add column if not exists current_period_start timestamptz,
  add column if not exists current_period_end timestamptz,
  add column if not exists cancel_at_period_end boolean not null default false,
  add column if not exists cancel_at timestamptz,
  add column if not exists canceled_at timestamptz,
  -- "Newer wins": the Stripe state this row reflects (event `created` or the time it was re-read);
  -- an upsert applies only when its state is newer (cf. supabase/stripe-sync-engine's last_synced_at).
  add column if not exists stripe_synced_at timestamptz,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists updated_at timestamptz not null default now();

alter table public.billing_cycles
  add column if not exists status text not null default 'active',
  add column if not exists included_minutes integer,
  add column if not exists overage_rate_cents integer,
  add column if not exists minutes_used integer not null default 0,
  add column if not exists overage_minutes integer not null default 0,
  add column if not exists overage_cost_cents integer not null default 0,
  add column if not exists currency text not null default 'eur',
  add column if not exists stripe_invoice_id text,
  add column if not exists created_at timestamptz not null default now(),
  add column if not exists updated_at timestamptz not null default now();

alter table public.usage_records
  add column if not exists billing_cycle_id uuid references public.billing_cycles (id),
  add column if not exists duration_seconds numeric(12, 3),
  add column if not exists billed_minutes integer,
  add column if not exists ended_at timestamptz,
  -- The outbox of meter-event delivery (docs/design.md#usage-ledger-and-meter-delivery): written in the same
  -- transaction as the usage, delivered later with the call_id as the meter event `identifier`.
  add column if not exists stripe_status text,
  add column if not exists stripe_customer_id text,
  add column if not exists stripe_attempts integer not null default 0,
  add column if not exists stripe_next_attempt_at timestamptz,
  add column if not exists stripe_last_error text,
  add column if not exists stripe_key_generation integer not null default 0,
  add column if not exists stripe_sent_at timestamptz,
  add column if not exists created_at timestamptz not null default now();

alter table public.stripe_events
  add column if not exists received_at timestamptz not null default now(),
  add column if not exists processed_at timestamptz;

-- 3b. Back-fill what the original project did not store.
update public.billing_plans set currency = 'eur' where currency is null;
update public.billing_plans
   set code = case
     when lower(name) like '%starter%' then 'starter'
     when lower(name) like '%growth%' then 'growth'
     when lower(name) like '%enterprise%' then 'enterprise'
     else trim(both '_' from lower(regexp_replace(name, '[^A-Za-z0-9]+', '_', 'g')))
   end
 where code is null;
update public.billing_plans set model_type = 'tiered' where model_type is null;
update public.billing_plans set overage_rate_cents = 0 where overage_rate_cents is null;
update public.billing_plans set price_cents = 0 where price_cents is null;
-- Twelve months less 10 % (docs/design.md#plans-and-prices) where the original never stored a yearly price.
update public.billing_plans set yearly_price_cents = round(price_cents * 12 * 0.9)::integer
 where yearly_price_cents is null;
update public.billing_plans set sort_order = 0 where sort_order is null;
update public.billing_plans set active = true where active is null;
update public.subscriptions set billing_period = 'monthly' where billing_period is null;
update public.subscriptions set cancel_at_period_end = false where cancel_at_period_end is null;

-- A cycle keeps the plan's terms of its period (a later plan change must not rewrite a past cycle).
update public.billing_cycles c
   set included_minutes = coalesce(c.included_minutes, p.included_minutes),
       overage_rate_cents = coalesce(c.overage_rate_cents, p.overage_rate_cents)
  from public.subscriptions s
  join public.billing_plans p on p.id = s.plan_id
 where s.id = c.subscription_id and (c.included_minutes is null or c.overage_rate_cents is null);
update public.billing_cycles set included_minutes = 0 where included_minutes is null;
update public.billing_cycles set overage_rate_cents = 0 where overage_rate_cents is null;
update public.billing_cycles set minutes_used = 0 where minutes_used is null;
update public.billing_cycles set overage_minutes = 0 where overage_minutes is null;
update public.billing_cycles set overage_cost_cents = 0 where overage_cost_cents is null;
update public.billing_cycles set status = 'active' where status is null;

-- The original report-usage stored `call_duration_minutes` and sent the meter event synchronously before
-- inserting the row: its rows are already in Stripe ('sent').
do $$
begin
  if exists (select 1 from information_schema.columns where table_schema = 'public'
             and table_name = 'usage_records' and column_name = 'call_duration_minutes') then
    execute $q$
      update public.usage_records
         set duration_seconds = round(call_duration_minutes * 60, 3)
       where duration_seconds is null and call_duration_minutes is not null
    $q$;
    update public.usage_records set stripe_status = 'sent', stripe_sent_at = created_at
     where stripe_status is null;
  end if;
end
$$;
update public.usage_records set billed_minutes = ceil(duration_seconds / 60)::integer
 where billed_minutes is null and duration_seconds is not null;
update public.usage_records set ended_at = created_at where ended_at is null;
update public.usage_records set stripe_status = 'unbilled' where stripe_status is null;

-- 4. Rules. Dropped first under PostgreSQL's default names, so that a hand-made constraint of the same
-- name in an adopted database is replaced by this definition instead of conflicting with it.
alter table public.organisations
  alter column name set not null,
  alter column owner_id set not null,
  drop constraint if exists organisations_name_check,
  add constraint organisations_name_check check (char_length(name) between 1 and 200),
  drop constraint if exists organisations_stripe_customer_id_key,
  add constraint organisations_stripe_customer_id_key unique (stripe_customer_id);

alter table public.billing_plans
  alter column code set not null,
  alter column name set not null,
  alter column model_type set not null,
  alter column included_minutes set not null,
  alter column currency set not null,
  alter column currency set default 'eur',
  alter column price_cents set not null,
  alter column yearly_price_cents set not null,
  alter column overage_rate_cents set not null,
  alter column sort_order set not null,
  alter column active set not null,
  drop constraint if exists billing_plans_code_key,
  add constraint billing_plans_code_key unique (code),
  -- The catalog key (src/domain/catalog.ts PlanCode); a format rather than a fixed list so that adopting
  -- a database with a retired plan does not fail.
  drop constraint if exists billing_plans_code_check,
  add constraint billing_plans_code_check check (code ~ '^[a-z][a-z0-9_]{0,49}$'),
  drop constraint if exists billing_plans_name_check,
  add constraint billing_plans_name_check check (char_length(name) between 1 and 200),
  drop constraint if exists billing_plans_model_type_check,
  add constraint billing_plans_model_type_check check (model_type in ('tiered')),
  drop constraint if exists billing_plans_currency_check,
  add constraint billing_plans_currency_check check (currency ~ '^[a-z]{3}$'),
  drop constraint if exists billing_plans_included_minutes_check,
  add constraint billing_plans_included_minutes_check check (included_minutes >= 0),
  drop constraint if exists billing_plans_price_cents_check,
  add constraint billing_plans_price_cents_check check (price_cents >= 0),
  drop constraint if exists billing_plans_yearly_price_cents_check,
  add constraint billing_plans_yearly_price_cents_check check (yearly_price_cents >= 0),
  drop constraint if exists billing_plans_overage_rate_cents_check,
  add constraint billing_plans_overage_rate_cents_check check (overage_rate_cents >= 0),
  drop constraint if exists billing_plans_setup_fee_cents_check,
  add constraint billing_plans_setup_fee_cents_check check (setup_fee_cents >= 0);

alter table public.subscriptions
  alter column org_id set not null,
  alter column plan_id set not null,
  alter column stripe_subscription_id set not null,
  alter column status set not null,
  alter column billing_period set not null,
  alter column cancel_at_period_end set not null,
  drop constraint if exists subscriptions_stripe_subscription_id_key,
  add constraint subscriptions_stripe_subscription_id_key unique (stripe_subscription_id),
  -- Stripe's statuses, verbatim (docs.stripe.com/api/subscriptions/object#subscription_object-status).
  drop constraint if exists subscriptions_status_check,
  add constraint subscriptions_status_check check (status in
    ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')),
  drop constraint if exists subscriptions_billing_period_check,
  add constraint subscriptions_billing_period_check check (billing_period in ('monthly', 'yearly')),
  drop constraint if exists subscriptions_period_check,
  add constraint subscriptions_period_check check (current_period_end > current_period_start);

alter table public.billing_cycles
  alter column subscription_id set not null,
  alter column org_id set not null,
  alter column period_start set not null,
  alter column period_end set not null,
  alter column status set not null,
  alter column included_minutes set not null,
  alter column overage_rate_cents set not null,
  alter column overage_rate_cents set default 0,
  alter column currency set not null,
  alter column currency set default 'eur',
  drop constraint if exists billing_cycles_period_check,
  add constraint billing_cycles_period_check check (period_end > period_start),
  drop constraint if exists billing_cycles_status_check,
  add constraint billing_cycles_status_check check (status in ('active', 'closed')),
  drop constraint if exists billing_cycles_figures_check,
  add constraint billing_cycles_figures_check check (
    included_minutes >= 0 and overage_rate_cents >= 0 and minutes_used >= 0
    and overage_minutes >= 0 and overage_cost_cents >= 0),
  drop constraint if exists billing_cycles_currency_check,
  add constraint billing_cycles_currency_check check (currency ~ '^[a-z]{3}$'),
  drop constraint if exists billing_cycles_subscription_id_period_start_key,
  add constraint billing_cycles_subscription_id_period_start_key unique (subscription_id, period_start);

alter table public.usage_records
  alter column org_id set not null,
  alter column call_id set not null,
  alter column duration_seconds set not null,
  alter column billed_minutes set not null,
  alter column ended_at set not null,
  alter column ended_at set default now(),
  alter column stripe_status set not null,
  alter column stripe_status set default 'unbilled',
  drop constraint if exists usage_records_call_id_key,
  add constraint usage_records_call_id_key unique (call_id),
  drop constraint if exists usage_records_call_id_check,
  add constraint usage_records_call_id_check check (char_length(call_id) between 1 and 255),
  drop constraint if exists usage_records_duration_seconds_check,
  add constraint usage_records_duration_seconds_check check (duration_seconds >= 0 and duration_seconds <= 86400),
  -- Per-call rounding up (docs/design.md#plans-and-prices): a 61-second call is 2 minutes. Stored, and proven
  -- on every row.
  drop constraint if exists usage_records_billed_minutes_check,
  add constraint usage_records_billed_minutes_check check (billed_minutes = ceil(duration_seconds / 60)),
  drop constraint if exists usage_records_stripe_status_check,
  add constraint usage_records_stripe_status_check check (stripe_status in ('pending', 'sent', 'failed', 'unbilled')),
  drop constraint if exists usage_records_stripe_attempts_check,
  add constraint usage_records_stripe_attempts_check check (stripe_attempts >= 0),
  drop constraint if exists usage_records_stripe_key_generation_check,
  add constraint usage_records_stripe_key_generation_check check (stripe_key_generation >= 0);

alter table public.stripe_events
  alter column type set not null,
  alter column created set not null;

-- 5. Indexes for every lookup.
create index if not exists organisations_owner_id_idx on public.organisations (owner_id);
create index if not exists billing_plans_active_sort_idx on public.billing_plans (sort_order) where active;
create index if not exists subscriptions_org_id_idx on public.subscriptions (org_id);
create index if not exists subscriptions_stripe_customer_id_idx on public.subscriptions (stripe_customer_id);
create index if not exists subscriptions_plan_id_idx on public.subscriptions (plan_id);
-- An organisation has at most one live subscription. A canceled (or never-paid, expired) one does not
-- count, so a customer can subscribe again after cancelling; 'incomplete' does not count either, because
-- Stripe may leave one behind while a later Checkout succeeds.
create unique index if not exists subscriptions_one_live_per_org
  on public.subscriptions (org_id)
  where status in ('trialing', 'active', 'past_due', 'unpaid', 'paused');
create index if not exists billing_cycles_org_id_period_start_idx on public.billing_cycles (org_id, period_start);
create index if not exists usage_records_billing_cycle_id_idx on public.usage_records (billing_cycle_id);
create index if not exists usage_records_org_id_ended_at_idx on public.usage_records (org_id, ended_at);
-- The outbox's "pending and due" lookup: only pending rows are in the index, oldest due first.
create index if not exists usage_records_pending_due_idx
  on public.usage_records (stripe_next_attempt_at nulls first, created_at)
  where stripe_status = 'pending';
create index if not exists stripe_events_unprocessed_idx on public.stripe_events (received_at)
  where processed_at is null;

-- 6. updated_at follows every update.
create or replace function public.set_updated_at() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create or replace trigger organisations_set_updated_at before update on public.organisations
  for each row execute function public.set_updated_at();
create or replace trigger billing_plans_set_updated_at before update on public.billing_plans
  for each row execute function public.set_updated_at();
create or replace trigger subscriptions_set_updated_at before update on public.subscriptions
  for each row execute function public.set_updated_at();
create or replace trigger billing_cycles_set_updated_at before update on public.billing_cycles
  for each row execute function public.set_updated_at();

-- 7. "Newer wins" for Stripe state (docs/design.md#webhook-pipeline): Stripe delivers events unordered and at least
-- once, so an update carrying an OLDER stripe_synced_at than the row's is skipped, whatever code sends it.
-- Writers should also say so in their upsert (`… where stripe_synced_at <= excluded.stripe_synced_at`);
-- this trigger makes a forgotten guard harmless. Updates that do not carry a sync time pass.
create or replace function public.keep_newer_stripe_state() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.stripe_synced_at is not null and old.stripe_synced_at is not null
     and new.stripe_synced_at < old.stripe_synced_at then
    return null;
  end if;
  return new;
end
$$;

create or replace trigger subscriptions_keep_newer_stripe_state before update on public.subscriptions
  for each row execute function public.keep_newer_stripe_state();
