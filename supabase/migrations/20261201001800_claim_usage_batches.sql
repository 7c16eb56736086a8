-- Many organisations' batches in ONE round trip: the inline attempts of a busy process (hundreds of organisations
-- reporting at once, src/usecases/usage/inline-delivery.ts) claim the next batch of each waiting organisation
-- together and send them in one v2 meter event stream request. Each organisation's claim is exactly
-- `claim_usage_batch` (migration 20261201001400: same locks, leases, batch ids and retries), one after another in
-- this one transaction, so nothing about a batch differs from a lone claim; only the round trips go.
-- p_new_batch_ids[i] is the id a new batch of p_org_ids[i] gets (a retried batch keeps its own).
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
begin
  if cardinality(p_org_ids) <> cardinality(p_new_batch_ids) or array_position(p_org_ids, null) is not null
     or array_position(p_new_batch_ids, null) is not null then
    raise exception 'claim_usage_batches: one new batch id per organisation, none null' using errcode = '22023';
  end if;
  for i in 1 .. cardinality(p_org_ids) loop
    return query
      select * from public.claim_usage_batch(p_org_ids[i], p_max_calls, p_lease_seconds, p_new_batch_ids[i],
                                             p_oldest_ended_at);
  end loop;
end
$$;

revoke all on function public.claim_usage_batches(uuid[], text[], integer, double precision, timestamptz)
  from public, anon, authenticated;
grant execute on function public.claim_usage_batches(uuid[], text[], integer, double precision, timestamptz)
  to service_role;
