-- Issue 8, defects 1 and 11: charge once.
--
-- checkout_sessions: every Checkout Session handed to an organisation, written under the organisation's checkout
-- lock (src/usecases/checkout/one-open-session.ts). The latest row names the session that may still be open even
-- when Stripe's list lags behind; its count numbers the next session's idempotency key.
create table if not exists public.checkout_sessions (
  stripe_session_id text primary key,
  org_id uuid not null references public.organisations (id),
  plan_id uuid not null references public.billing_plans (id),
  billing_period text not null check (billing_period in ('monthly', 'yearly')),
  created_at timestamptz not null default now()
);
create index if not exists checkout_sessions_org_idx on public.checkout_sessions (org_id, created_at desc);

-- duplicate_subscription_refunds: a second live subscription of one organisation is canceled and its paid invoice
-- refunded through a credit note (src/usecases/stripe-events/refund-duplicate.ts). One row per refunded invoice:
-- the primary key is what makes a duplicated or reordered webhook refund nothing twice.
create table if not exists public.duplicate_subscription_refunds (
  stripe_invoice_id text primary key,
  org_id uuid not null references public.organisations (id),
  canceled_subscription_id text not null,
  kept_subscription_id text not null,
  stripe_credit_note_id text not null,
  stripe_refund_id text,
  amount_refunded_cents bigint not null check (amount_refunded_cents > 0),
  currency text not null check (currency ~ '^[a-z]{3}$'),
  created_at timestamptz not null default now()
);

-- The e-mail last set on the organisation's Stripe customer: a checkout or portal session compares the owner's
-- current sign-up e-mail (auth.users.email) with it and updates the customer only when it changed.
alter table public.organisations add column if not exists stripe_customer_email text;

alter table public.checkout_sessions enable row level security;
alter table public.duplicate_subscription_refunds enable row level security;
revoke all on table public.checkout_sessions, public.duplicate_subscription_refunds from anon, authenticated;
grant all on table public.checkout_sessions, public.duplicate_subscription_refunds to service_role;

-- No policies: only the service role (bypassing RLS) reads or writes these, as with stripe_events.
