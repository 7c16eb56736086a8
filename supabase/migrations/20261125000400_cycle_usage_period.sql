-- A plan change mid-period splits a cycle into parts (src/repositories/split-cycle.ts). Every part belongs to ONE
-- Stripe usage period of the metered item, billed together on the invoice at that period's end, but nothing in a
-- part's own dates says which: a part ending on the 16th and a whole month ending on the 1st look alike.
-- `usage_period_start` names the period a part belongs to; null means the cycle starts its usage period itself
-- (every cycle not made by a split). The dashboard shows the current period's earlier parts with it: the overage
-- before an upgrade is still to be billed, though the active cycle counts from zero.
alter table public.billing_cycles add column if not exists usage_period_start timestamptz;

alter table public.billing_cycles drop constraint if exists billing_cycles_usage_period_start_check;
alter table public.billing_cycles add constraint billing_cycles_usage_period_start_check
  check (usage_period_start is null or usage_period_start < period_start);

create index if not exists billing_cycles_usage_period_idx
  on public.billing_cycles (subscription_id, (coalesce(usage_period_start, period_start)));
