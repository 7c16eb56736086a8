-- Local-only stand-in for what a Supabase project already has: the API roles, the `auth` schema,
-- `auth.users` and the helpers RLS policies call. NEVER part of supabase/migrations: on Supabase all of
-- this exists and belongs to supabase_auth_admin. `aisyst-billing migrate` runs it only when the database
-- has no `auth` schema (PGlite, plain PostgreSQL). Idempotent; runs on PGlite and PostgreSQL alike.
-- The auth helpers are defined as Supabase ships them (supabase/postgres, the auth schema init script).

-- Roles are cluster-wide on PostgreSQL: create them only when missing (another database may have them).
do $$
declare
  r record;
begin
  for r in select * from (values
    ('anon', 'nologin noinherit'),
    ('authenticated', 'nologin noinherit'),
    -- As on Supabase: the backend role bypasses row level security.
    ('service_role', 'nologin noinherit bypassrls')
  ) as t(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      begin
        execute format('create role %I %s', r.name, r.options);
      exception
        -- Another database of the cluster bootstrapping at the same moment made it first.
        when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  email text unique,
  encrypted_password text,
  raw_user_meta_data jsonb default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);
grant select, insert, update, delete on auth.users to service_role;

-- Supabase's definitions: PostgREST puts the verified JWT into `request.jwt.claims` (older versions into
-- `request.jwt.claim.sub`); the nullif guard turns an empty sub into NULL instead of a cast error.
create or replace function auth.uid() returns uuid
  language sql stable
as $$
  select nullif(
    coalesce(
      current_setting('request.jwt.claim.sub', true),
      (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')
    ),
    ''
  )::uuid
$$;

create or replace function auth.role() returns text
  language sql stable
as $$
  select nullif(
    coalesce(
      current_setting('request.jwt.claim.role', true),
      (current_setting('request.jwt.claims', true)::jsonb ->> 'role')
    ),
    ''
  )::text
$$;

create or replace function auth.jwt() returns jsonb
  language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
