-- The operator console (issue 12 §2): who may use it, and what operators did there.
--
-- Operators are Supabase Auth users whose app_metadata says role = operator. Supabase keeps app_metadata in
-- auth.users.raw_app_meta_data (writable by the service role only, never by the user). The local auth stub
-- (supabase/local/auth-stub.sql) lacks the column, so it is added to the stub only, recognised by its columns
-- (raw_user_meta_data without Supabase's instance_id): any other auth schema is not ours to alter.
do $$
begin
  if exists (select 1 from information_schema.columns
              where table_schema = 'auth' and table_name = 'users' and column_name = 'raw_user_meta_data')
     and not exists (select 1 from information_schema.columns
              where table_schema = 'auth' and table_name = 'users' and column_name in ('instance_id', 'raw_app_meta_data')) then
    alter table auth.users add column raw_app_meta_data jsonb default '{}'::jsonb;
  end if;
end
$$;

-- One row per action an operator started from the console: who, when, what, and how it ended. Written before the
-- action runs (so a crash still leaves the request on record) and completed after it.
create table if not exists public.operator_actions (
  id uuid primary key default gen_random_uuid(),
  actor_user_id uuid not null,
  actor_email text,
  action text not null check (action in ('retry_deliveries', 'replay_stripe_events', 'reconcile')),
  requested_at timestamptz not null default now(),
  finished_at timestamptz,
  outcome text check (outcome in ('done', 'failed')),
  result jsonb
);

create index if not exists operator_actions_requested_idx on public.operator_actions (requested_at desc);

alter table public.operator_actions enable row level security;
revoke all on table public.operator_actions from anon, authenticated;
grant all on table public.operator_actions to service_role;
-- No policies: only the service role (bypassing RLS) reads or writes it, as with stripe_events.
