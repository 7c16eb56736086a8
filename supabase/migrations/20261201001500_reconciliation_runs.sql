-- Reconciliation of the usage ledger with Stripe's meter and invoices (docs/design.md#reconciliation): one row per
-- billing cycle checked by a run of `aisyst-billing reconcile` / POST reconcile. Minutes are bigint like the cycle
-- counters they are compared with. A run is the set of rows sharing run_id; the latest run is the one an operator
-- sees. Rows are only ever inserted (a history), except `repair`, written by the same run once it repaired the cycle.
create table if not exists public.reconciliation_runs (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null,
  checked_at timestamptz not null default now(),
  billing_cycle_id uuid not null references public.billing_cycles (id) on delete cascade,
  org_id uuid not null references public.organisations (id) on delete cascade,
  stripe_customer_id text,
  -- The minute-aligned window compared (Stripe's event summaries take whole minutes).
  window_start timestamptz not null,
  window_end timestamptz not null,
  -- The ledger's billed minutes in the window (sent, pending and failed calls) ...
  ledger_minutes bigint not null check (ledger_minutes >= 0),
  -- ... of which not yet settled at Stripe: pending calls, and calls sent moments ago (Stripe processes meter
  -- events asynchronously). A difference inside this margin is accounted for, not drift.
  settling_minutes bigint not null default 0 check (settling_minutes >= 0),
  -- Stripe's meter event summary for the customer and window; null when Stripe could not be asked.
  stripe_meter_minutes bigint,
  -- The quantity on the metered line(s) of the cycle's finalised invoice; null for an open cycle or a draft invoice.
  invoice_minutes bigint,
  -- Unexplained differences (Stripe minus ledger, beyond the settling margin); 0 = agrees.
  meter_difference_minutes bigint not null default 0,
  invoice_difference_minutes bigint not null default 0,
  status text not null check (status in ('clean', 'settling', 'drift', 'unchecked')),
  finding text check (char_length(finding) <= 1000),
  repair text check (char_length(repair) <= 1000)
);

create index if not exists reconciliation_runs_checked_idx on public.reconciliation_runs (checked_at desc);
create index if not exists reconciliation_runs_run_idx on public.reconciliation_runs (run_id);
create index if not exists reconciliation_runs_cycle_idx on public.reconciliation_runs (billing_cycle_id);

alter table public.reconciliation_runs enable row level security;
revoke all on table public.reconciliation_runs from anon, authenticated;
grant all on table public.reconciliation_runs to service_role;
-- No policies: only the service role (bypassing RLS) reads or writes it, as with stripe_events.
