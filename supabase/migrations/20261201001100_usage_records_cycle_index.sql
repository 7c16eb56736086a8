-- The call log (GET usage-records, src/repositories/call-log.ts) reads a cycle's calls newest first, one page at a
-- time on the key (ended_at, id). With only usage_records_billing_cycle_id_idx every page sorted the whole cycle;
-- this index hands out a page in key order, so page 200 costs what page 1 does. It replaces nothing: the single
-- column index still serves attach_unbilled_usage and the foreign key.
--
-- A plain CREATE INDEX (each migration runs in one transaction, where CONCURRENTLY is not allowed): it blocks writes
-- to usage_records while it builds, a few seconds per million calls; record_usage waits, it does not fail.
create index if not exists usage_records_cycle_ended_at_idx
  on public.usage_records (billing_cycle_id, ended_at desc, id desc);
