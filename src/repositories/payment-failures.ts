/**
 * The failed invoice a past_due subscription waits on (subscriptions.payment_failed_invoice_id / payment_failed_at,
 * supabase/migrations/20261201000800_entitlement_and_spend_caps.sql): entitlement's grace period counts from its
 * first failure on Stripe's clock. Events arrive in any order and more than once, so both writes converge:
 */
import type { Sql } from '../ports/sql.ts';

/**
 * A failure of `invoiceId` at `failedAt` (the event's `created`, Stripe's clock). The earliest failure of the invoice
 * already waited on is kept (Stripe's retries fail again later, the grace does not restart); another invoice replaces
 * it only when none is waited on.
 */
export async function recordPaymentFailure(
  sql: Sql,
  stripeSubscriptionId: string,
  invoiceId: string,
  failedAt: Date,
): Promise<void> {
  await sql.query(
    `update subscriptions set payment_failed_invoice_id = $2, payment_failed_at = $3
      where stripe_subscription_id = $1
        and (payment_failed_invoice_id is null
             or (payment_failed_invoice_id = $2 and payment_failed_at > $3))`,
    [stripeSubscriptionId, invoiceId, failedAt],
  );
}

/** Stripe shows the subscription paid up (not past_due / unpaid): nothing is waited on any more. */
export async function clearPaymentFailure(sql: Sql, stripeSubscriptionId: string): Promise<void> {
  await sql.query(
    `update subscriptions set payment_failed_invoice_id = null, payment_failed_at = null
      where stripe_subscription_id = $1 and payment_failed_invoice_id is not null`,
    [stripeSubscriptionId],
  );
}
