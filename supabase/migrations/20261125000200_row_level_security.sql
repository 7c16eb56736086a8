-- Row level security on every table (docs/database.md#row-level-security): an owner reads their
-- organisation's rows; only the service role writes. On Supabase the API roles get ALL on new public
-- tables by default privileges, so writes are revoked explicitly rather than merely left without a policy.
-- Policies call `(select auth.uid())` so that PostgreSQL evaluates it once per statement, not per row
-- (supabase.com/docs/guides/database/postgres/row-level-security#call-functions-with-select).

-- An adopted database may carry hand-made policies (policies are OR-ed: one broad policy would defeat ours).
-- The policies below are the whole access model, so every other policy on these tables goes.
do $$
declare
  p record;
begin
  for p in
    select policyname, tablename from pg_policies
     where schemaname = 'public'
       and tablename in ('organisations', 'billing_plans', 'subscriptions', 'billing_cycles', 'usage_records', 'stripe_events')
  loop
    execute format('drop policy %I on public.%I', p.policyname, p.tablename);
  end loop;
end
$$;

alter table public.organisations enable row level security;
alter table public.billing_plans enable row level security;
alter table public.subscriptions enable row level security;
alter table public.billing_cycles enable row level security;
alter table public.usage_records enable row level security;
alter table public.stripe_events enable row level security;

revoke all on table public.organisations, public.billing_plans, public.subscriptions,
  public.billing_cycles, public.usage_records, public.stripe_events from anon, authenticated;
grant select on table public.organisations, public.subscriptions, public.billing_cycles,
  public.usage_records to authenticated;
grant select on table public.billing_plans to anon, authenticated;
-- service_role has BYPASSRLS on Supabase (and in supabase/local/auth-stub.sql).
grant all on table public.organisations, public.billing_plans, public.subscriptions,
  public.billing_cycles, public.usage_records, public.stripe_events to service_role;

create policy "owners read their organisations" on public.organisations
  for select to authenticated
  using (owner_id = (select auth.uid()));

create policy "anyone reads active plans" on public.billing_plans
  for select to anon, authenticated
  using (active);

create policy "owners read their subscriptions" on public.subscriptions
  for select to authenticated
  using (exists (select 1 from public.organisations o
                  where o.id = subscriptions.org_id and o.owner_id = (select auth.uid())));

create policy "owners read their billing cycles" on public.billing_cycles
  for select to authenticated
  using (exists (select 1 from public.organisations o
                  where o.id = billing_cycles.org_id and o.owner_id = (select auth.uid())));

create policy "owners read their usage" on public.usage_records
  for select to authenticated
  using (exists (select 1 from public.organisations o
                  where o.id = usage_records.org_id and o.owner_id = (select auth.uid())));

-- stripe_events: no policy at all; only the service role (bypassing RLS) reads or writes it.
