-- Many organisations' batches in ONE round trip: the inline attempts of a busy process (hundreds of organisations
-- reporting at once, src/usecases/usage/inline-delivery.ts) claim the next batch of each waiting organisation
-- together and send them in one v2 meter event stream request. Each organisation gets exactly the batch
-- `claim_usage_batch` (migration 20261201001400) would give it — same locks, leases, batch ids and retries:
--   * an organisation with a due retried batch goes through `claim_usage_batch` itself (rare: after a failure);
--   * every other organisation's NEW batch is formed by the same rules in a few set-based statements for the whole
--     group, since one plpgsql claim per organisation cost a busy process about as much database work as recording
--     the call (the ingestion benchmark across 1,000 organisations, `npm run bench Ingestion`).
-- p_new_batch_ids[i] is the id a new batch of p_org_ids[i] gets (a retried batch keeps its own); each organisation
-- comes once.
create or replace function public.claim_usage_batches(
  p_org_ids uuid[],
  p_new_batch_ids text[],
  p_max_calls integer,
  p_lease_seconds double precision,
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
  v_retrying uuid[];
  v_claimed uuid[];
begin
  if cardinality(p_org_ids) <> cardinality(p_new_batch_ids) or array_position(p_org_ids, null) is not null
     or array_position(p_new_batch_ids, null) is not null
     or cardinality(p_org_ids) <> (select count(distinct o) from unnest(p_org_ids) o) then
    raise exception 'claim_usage_batches: each organisation once, one new batch id each, none null'
      using errcode = '22023';
  end if;

  select coalesce(array_agg(distinct u.org_id), '{}') into v_retrying
    from public.usage_records u
   where u.org_id = any (p_org_ids) and u.stripe_status = 'pending' and u.stripe_batch_id is not null
     and coalesce(u.stripe_next_attempt_at, u.created_at) <= now();
  for i in 1 .. cardinality(p_org_ids) loop
    continue when not (p_org_ids[i] = any (v_retrying));
    return query
      select * from public.claim_usage_batch(p_org_ids[i], p_max_calls, p_lease_seconds, p_new_batch_ids[i],
                                             p_oldest_ended_at);
  end loop;

  -- claim_usage_batch's new batch, for every other organisation at once: the organisation's advisory lock (one new
  -- batch at a time per organisation), its oldest due call as the head, the calls that may share the head's batch.
  with orgs as materialized (
    select o.org_id, o.batch_id
      from unnest(p_org_ids, p_new_batch_ids) as o(org_id, batch_id)
     where not (o.org_id = any (v_retrying))
       and pg_try_advisory_xact_lock(hashtextextended('aisyst-usage-org:' || o.org_id::text, 0))
  ), heads as materialized (
    select o.batch_id, h.id, h.org_id, h.billing_cycle_id, h.ended_at,
           coalesce(
             h.stripe_customer_id,
             (select s.stripe_customer_id from public.billing_cycles c
                join public.subscriptions s on s.id = c.subscription_id where c.id = h.billing_cycle_id),
             (select g.stripe_customer_id from public.organisations g where g.id = h.org_id)) as customer
      from orgs o
      cross join lateral (
        select u.* from public.usage_records u
         where u.org_id = o.org_id and u.stripe_status = 'pending' and u.stripe_batch_id is null
           and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
         order by coalesce(u.stripe_next_attempt_at, u.created_at), u.created_at
         limit 1
         for update skip locked) h
  ), members as (
    select h.batch_id, h.customer, m.id
      from heads h
      cross join lateral (
        select u.id from public.usage_records u
         where u.org_id = h.org_id and u.stripe_status = 'pending' and u.stripe_batch_id is null
           and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
           and u.billing_cycle_id is not distinct from h.billing_cycle_id
           and coalesce(u.stripe_customer_id, h.customer) is not distinct from h.customer
           and (u.ended_at < p_oldest_ended_at) = (h.ended_at < p_oldest_ended_at)
         order by u.id = h.id desc, u.ended_at, u.id
         limit greatest(p_max_calls, 1)
         for update skip locked) m
  ), batched as (
    update public.usage_records u
       set stripe_batch_id = m.batch_id,
           stripe_next_attempt_at = now() + make_interval(secs => p_lease_seconds),
           stripe_attempts = u.stripe_attempts + 1,
           stripe_customer_id = coalesce(u.stripe_customer_id, m.customer)
      from members m where u.id = m.id
    returning u.id
  )
  select array_agg(b.id) into v_claimed from batched b;

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
     order by u.org_id, u.ended_at, u.id;
end
$$;

revoke all on function public.claim_usage_batches(uuid[], text[], integer, double precision, timestamptz)
  from public, anon, authenticated;
grant execute on function public.claim_usage_batches(uuid[], text[], integer, double precision, timestamptz)
  to service_role;
