-- Usage alerts by e-mail (issue 11 §3; docs/design.md#usage-alerts): at 80 % and 100 % of the included minutes and
-- when the spend cap is reached, the owner gets ONE e-mail per threshold per cycle.
--
-- The table is an outbox: a row is queued in the database, in the very transaction that moved the cycle's minutes
-- (record_usage, attach_unbilled_usage), by the trigger below; a deliverer sends it later over SMTP, with retries
-- and backoff, so a mail server outage only delays it (src/usecases/usage-alerts/).
--
-- Exactly once: UNIQUE (billing_cycle_id, kind) + ON CONFLICT DO NOTHING. Racing reports are serialised by the
-- cycle's row lock (the trigger runs inside the UPDATE that holds it), and a redelivered webhook or a repeated call
-- finds the row there. Never for an earlier cycle: only a cycle still `active` (the current one) queues alerts; a
-- late call landing in a closed cycle counts its minutes but sends nothing. A renewal makes a new cycle, whose
-- alerts are its own.
create table if not exists public.usage_alerts (
  id uuid primary key default gen_random_uuid(),
  billing_cycle_id uuid not null references public.billing_cycles (id),
  org_id uuid not null references public.organisations (id),
  kind text not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  constraint usage_alerts_billing_cycle_id_kind_key unique (billing_cycle_id, kind),
  constraint usage_alerts_kind_check check (kind in ('included_80', 'included_100', 'spend_cap_reached')),
  constraint usage_alerts_status_check check (status in ('pending', 'sent', 'no_recipient')),
  constraint usage_alerts_attempts_check check (attempts >= 0)
);

-- `no_recipient`: the owner has no e-mail address (a phone-only Supabase user): nothing to retry.
-- The deliverer's "pending and due" lookup; the summary's "alerts of this cycle" uses the unique key.
create index if not exists usage_alerts_pending_due_idx on public.usage_alerts (next_attempt_at)
  where status = 'pending';
create index if not exists usage_alerts_org_id_idx on public.usage_alerts (org_id);

alter table public.usage_alerts enable row level security;
revoke all on table public.usage_alerts from anon, authenticated;
grant select on table public.usage_alerts to authenticated;
grant all on table public.usage_alerts to service_role;
create policy "owners read their usage alerts" on public.usage_alerts
  for select to authenticated
  using (exists (select 1 from public.organisations o
                  where o.id = usage_alerts.org_id and o.owner_id = (select auth.uid())));

-- Fires inside record_usage / attach_unbilled_usage, which only the service role runs (it owns the grants here).
create or replace function public.queue_usage_alerts() returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  v_cap bigint;
begin
  select o.monthly_overage_cap_cents into v_cap from public.organisations o where o.id = new.org_id;
  insert into public.usage_alerts (billing_cycle_id, org_id, kind)
  select new.id, new.org_id, k.kind
    from (values
      ('included_80', new.included_minutes > 0 and new.minutes_used * 100 >= new.included_minutes * 80::bigint),
      ('included_100', new.included_minutes > 0 and new.minutes_used >= new.included_minutes),
      ('spend_cap_reached', public.spend_cap_reached(new.minutes_used, new.included_minutes,
                                                     new.overage_cost_cents, v_cap))
    ) as k(kind, due)
   where k.due
  on conflict (billing_cycle_id, kind) do nothing;
  return null;
end
$$;

create or replace trigger billing_cycles_queue_usage_alerts
  after update of minutes_used on public.billing_cycles
  for each row
  when (new.status = 'active' and new.minutes_used > old.minutes_used)
  execute function public.queue_usage_alerts();

revoke all on function public.queue_usage_alerts() from public, anon, authenticated;
grant execute on function public.queue_usage_alerts() to service_role;
