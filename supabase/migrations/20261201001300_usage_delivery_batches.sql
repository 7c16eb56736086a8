-- Aggregated meter delivery (docs/design.md#usage-ledger-and-meter-delivery, src/usecases/usage/README.md): a
-- customer's due calls are claimed together and sent as ONE meter event whose value is their sum and whose
-- `identifier` is a batch id written on those rows here, in the claiming transaction. A retry resends the same
-- calls under the same identifier (Stripe deduplicates it as it did a single call), never with a call added.
--
-- usage_records gets, per call, the audit of what carried it:
--   stripe_batch_id          the batch (= the meter event identifier) the call was claimed into; null until claimed
--   stripe_stream_request_id the v2 meter event stream request that carried its batch; null when sent over v1
alter table public.usage_records
  add column if not exists stripe_batch_id text,
  add column if not exists stripe_stream_request_id text;

create index if not exists usage_records_stripe_batch_id_idx
  on public.usage_records (stripe_batch_id) where stripe_batch_id is not null;

-- A call already attempted one at a time before this migration may be at Stripe under its own identifier (an
-- answer lost): it stays a batch of one under that identifier (meter-identifier.ts: the call_id when it is 1–100
-- visible ASCII characters, else h_ + the SHA-256 hex of it), so its retry is still deduplicated by Stripe.
-- Calls never attempted (stripe_attempts = 0) never reached Stripe and are batched afresh.
update public.usage_records
   set stripe_batch_id = case when call_id ~ '^[\x21-\x7e]{1,100}$' then call_id
                              else 'h_' || encode(sha256(convert_to(call_id, 'UTF8')), 'hex') end
 where stripe_status = 'pending' and stripe_attempts > 0 and stripe_batch_id is null;

-- Claims ONE batch for delivery and leases it (stripe_next_attempt_at = now() + p_lease_seconds), in one
-- transaction; returns its calls (none: nothing due). p_org_id null = any organisation, most overdue first.
--  1. A batch claimed before and still pending (Stripe failed, timed out or answered nothing) that is due again:
--     exactly its calls, under its id. An advisory transaction lock on the batch id makes two deliverers take it
--     whole or not at all (a row lock per call would let them split it and send one identifier with two values).
--  2. Otherwise a new batch, for the organisation whose calls are most overdue and that no other deliverer is
--     batching right now (an advisory transaction lock per organisation, so one claim takes all of a customer's due
--     calls instead of two claims splitting them): its oldest due call not in a batch picks the customer and cycle,
--     and up to p_max_calls due calls of the SAME organisation, customer and billing cycle (so never across a period
--     boundary, and on a test clock never across that clock's periods) join it, FOR UPDATE SKIP LOCKED. Calls that
--     ended before p_oldest_ended_at (our clock's now - 35 days, outside Stripe's window: "within the past 35
--     calendar days or up to 5 minutes in the future", docs.stripe.com/api/v2/billing-meter/object) never share a
--     batch with newer ones, so a stale call cannot carry fresh ones into an operator's hands.
-- The customer is looked up again (the row's, else the cycle's subscription's, else the organisation's) and kept.
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
  v_claimed uuid[];
begin
  for v_head in
    select u.* from public.usage_records u
     where u.stripe_status = 'pending' and u.stripe_batch_id is not null
       and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
       and (p_org_id is null or u.org_id = p_org_id)
     order by coalesce(u.stripe_next_attempt_at, u.created_at), u.stripe_batch_id
     limit 50
  loop
    continue when not pg_try_advisory_xact_lock(hashtextextended('aisyst-usage-batch:' || v_head.stripe_batch_id, 0));
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
       where u.stripe_batch_id = v_head.stripe_batch_id and u.stripe_status = 'pending'
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
      returning u.id
    )
    select array_agg(l.id) into v_claimed from leased l;
    exit when v_claimed is not null;
  end loop;

  if v_claimed is null then
    for v_org in
      select u.org_id from public.usage_records u
       where u.stripe_status = 'pending' and u.stripe_batch_id is null
         and coalesce(u.stripe_next_attempt_at, u.created_at) <= now()
         and (p_org_id is null or u.org_id = p_org_id)
       group by u.org_id
       order by min(coalesce(u.stripe_next_attempt_at, u.created_at))
       limit 50
    loop
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
