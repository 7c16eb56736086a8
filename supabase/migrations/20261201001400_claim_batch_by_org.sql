-- Claims for one organisation got slow as calls accumulate: `claim_usage_batch` (migration 20261201001300) filtered
-- `(p_org_id is null or org_id = p_org_id)`, which a cached generic plan cannot serve from an index, so every
-- claim of a lane — one per reported call — read every pending row of every organisation (the ingestion benchmark
-- across 1,000 organisations spent its CPU there). Now an organisation's claim reads only its own pending rows, by
-- a partial index; a claim for any organisation (a v2 stream pass over a backlog) still scans the pending rows,
-- once per batch. Same behaviour otherwise; docs in 20261201001300 and src/usecases/usage/README.md.
create index if not exists usage_records_pending_org_idx
  on public.usage_records (org_id, stripe_next_attempt_at) where stripe_status = 'pending';

create or replace function public.claim_usage_batch(
  p_org_id uuid,
  p_max_calls integer,
  p_lease_seconds double precision,
  p_new_batch_id text,
  p_oldest_ended_at timestamptz
) returns table (
  id uuid,
  org_id uuid,
  call_id text,
  billed_minutes integer,
  ended_at timestamptz,
  stripe_customer_id text,
  stripe_attempts integer,
  stripe_key_generation integer,
  stripe_batch_id text,
  on_test_clock boolean
)
  language plpgsql
  set search_path = ''
as $$
#variable_conflict use_column
declare
  v_head public.usage_records%rowtype;
  v_customer text;
  v_org uuid;
  v_orgs uuid[];
  v_batch text;
  v_batches text[];
  v_claimed uuid[];
begin
  -- One organisation's claim (the lanes: one per reported call) reads only that organisation's pending rows
  -- (usage_records_pending_org_idx); only a claim for any organisation (a stream pass) scans every pending row.
  if p_org_id is null then
    select array(
      select u.stripe_batch_id from public.usage_records u
       where u.stripe_status = 'pending' and u.stripe_batch_id is not null
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
       group by u.stripe_batch_id order by min(coalesce(u.stripe_next_attempt_at, u.created_at)) limit 50)
      into v_batches;
  else
    select array(
      select u.stripe_batch_id from public.usage_records u
       where u.org_id = p_org_id and u.stripe_status = 'pending' and u.stripe_batch_id is not null
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
       group by u.stripe_batch_id order by min(coalesce(u.stripe_next_attempt_at, u.created_at)) limit 50)
      into v_batches;
  end if;
  foreach v_batch in array v_batches loop
    continue when not pg_try_advisory_xact_lock(hashtextextended('aisyst-usage-batch:' || v_batch, 0));
    -- A fresh snapshot (READ COMMITTED): a deliverer that held the lock before us has committed its lease.
    with leased as (
      update public.usage_records u
         set stripe_next_attempt_at = now() + make_interval(secs => p_lease_seconds),
             stripe_attempts = u.stripe_attempts + 1,
             stripe_customer_id = coalesce(
               u.stripe_customer_id,
               (select s.stripe_customer_id from public.billing_cycles c
                  join public.subscriptions s on s.id = c.subscription_id where c.id = u.billing_cycle_id),
               (select o.stripe_customer_id from public.organisations o where o.id = u.org_id))
       where u.stripe_batch_id = v_batch and u.stripe_status = 'pending'
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
      returning u.id
    )
    select array_agg(l.id) into v_claimed from leased l;
    exit when v_claimed is not null;
  end loop;

  if v_claimed is null then
    if p_org_id is null then
      select array(
        select u.org_id from public.usage_records u
         where u.stripe_status = 'pending' and u.stripe_batch_id is null
           and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
         group by u.org_id order by min(coalesce(u.stripe_next_attempt_at, u.created_at)) limit 50)
        into v_orgs;
    else
      v_orgs := array[p_org_id];
    end if;
    foreach v_org in array v_orgs loop
      -- One new batch at a time per organisation: two deliverers would otherwise split its calls between them.
      continue when not pg_try_advisory_xact_lock(hashtextextended('aisyst-usage-org:' || v_org::text, 0));
      select u.* into v_head from public.usage_records u
       where u.org_id = v_org and u.stripe_status = 'pending' and u.stripe_batch_id is null
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
       order by coalesce(u.stripe_next_attempt_at, u.created_at), u.created_at
       limit 1
       for update skip locked;
      continue when not found;
      v_customer := coalesce(
        v_head.stripe_customer_id,
        (select s.stripe_customer_id from public.billing_cycles c
           join public.subscriptions s on s.id = c.subscription_id where c.id = v_head.billing_cycle_id),
        (select o.stripe_customer_id from public.organisations o where o.id = v_head.org_id));
      with members as (
        select u.id from public.usage_records u
         where u.org_id = v_head.org_id and u.stripe_status = 'pending' and u.stripe_batch_id is null
           and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
           and u.billing_cycle_id is not distinct from v_head.billing_cycle_id
           and coalesce(u.stripe_customer_id, v_customer) is not distinct from v_customer
           and (u.ended_at < p_oldest_ended_at) = (v_head.ended_at < p_oldest_ended_at)
         order by u.id = v_head.id desc, u.ended_at, u.id
         limit greatest(p_max_calls, 1)
         for update skip locked
      ), batched as (
        update public.usage_records u
           set stripe_batch_id = p_new_batch_id,
               stripe_next_attempt_at = now() + make_interval(secs => p_lease_seconds),
               stripe_attempts = u.stripe_attempts + 1,
               stripe_customer_id = coalesce(u.stripe_customer_id, v_customer)
          from members m where u.id = m.id
        returning u.id
      )
      select array_agg(b.id) into v_claimed from batched b;
      exit when v_claimed is not null;
    end loop;
  end if;

  if v_claimed is null then
    return;
  end if;
  return query
    select u.id, u.org_id, u.call_id, u.billed_minutes, u.ended_at, u.stripe_customer_id, u.stripe_attempts,
           u.stripe_key_generation, u.stripe_batch_id,
           exists (select 1 from public.billing_cycles c join public.subscriptions s on s.id = c.subscription_id
                    where c.id = u.billing_cycle_id and s.stripe_test_clock_id is not null)
      from public.usage_records u
     where u.id = any (v_claimed)
     order by u.ended_at, u.id;
end
$$;

revoke all on function public.claim_usage_batch(uuid, integer, double precision, text, timestamptz)
  from public, anon, authenticated;
grant execute on function public.claim_usage_batch(uuid, integer, double precision, text, timestamptz) to service_role;
