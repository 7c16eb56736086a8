-- Stripe's clock for a subscription. In test mode a customer may live on a test clock (docs.stripe.com/billing/testing/test-clocks),
-- far from our wall clock: Stripe renews, invoices and takes meter events (35 days back to 5 minutes ahead) on the
-- clock's `frozen_time`. The webhook handler stores the clock's id and the frozen time it last read (expanding
-- `test_clock` on the subscription it re-reads anyway), so report-usage and billing-summary know "now" for the
-- customer without calling Stripe per call. Null = no test clock: the subscription lives on the wall clock.
-- The stored time only moves forward (a test clock never goes back).
alter table public.subscriptions add column if not exists stripe_test_clock_id text;
alter table public.subscriptions add column if not exists stripe_clock_time timestamptz;

create index if not exists subscriptions_test_clock_idx
  on public.subscriptions (stripe_test_clock_id) where stripe_test_clock_id is not null;
