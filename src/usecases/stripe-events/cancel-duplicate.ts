/**
 * Two live subscriptions for one organisation: the customer paid two Checkout Sessions (two tabs an hour apart, a
 * session created outside the app) before either's webhook was handled. Stripe bills both; we store one
 * (`subscriptions_one_live_per_org`), so the other's events would fail on the unique key and be retried by Stripe
 * for 3 days, while the customer pays twice.
 *
 * We keep the OLDER subscription (the first payment). The newer one's paid invoices are refunded in full through
 * Stripe FIRST (refund-duplicate.ts), then it is canceled at Stripe, immediately and without proration
 * (docs.stripe.com/api/subscriptions/cancel: `prorate`), with a stable idempotency key so a retried event cancels
 * once. In that order a failure in between leaves the duplicate live, so Stripe's retry of the event comes back
 * here and finishes; the other way round, the canceled duplicate would no longer conflict and its refund would be
 * forgotten. One log line tells the operator what was done. The caller then converges both rows again: the
 * canceled one is stored canceled, which frees the organisation's live slot when it was the one stored.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { refundDuplicateInvoices } from './refund-duplicate.ts';

/** Refunds and cancels the newer of two live subscriptions of one organisation at Stripe; returns the canceled one's id. */
export async function cancelDuplicateSubscription(
  ctx: AppContext,
  orgId: string,
  incoming: Stripe.Subscription,
  stored: Stripe.Subscription,
): Promise<string> {
  // Equal creation times (same second): the incoming one is the duplicate, the stored one already has our rows.
  const [kept, duplicate] = incoming.created < stored.created ? [incoming, stored] : [stored, incoming];
  const refunds = await refundDuplicateInvoices(ctx, {
    orgId,
    keptSubscriptionId: kept.id,
    duplicateSubscriptionId: duplicate.id,
  });
  await ctx.stripe.subscriptions.cancel(
    duplicate.id,
    { prorate: false },
    { idempotencyKey: `cancel-duplicate-${duplicate.id}` },
  );
  ctx.logger.warn(
    'duplicate subscription canceled and its paid invoices refunded through Stripe; nothing to do by hand',
    {
      org_id: orgId,
      kept_subscription: kept.id,
      canceled_subscription: duplicate.id,
      refunds: refunds.map((r) => ({
        invoice: r.invoiceId,
        credit_note: r.creditNoteId,
        refund: r.refundId,
        amount_cents: r.amountRefundedCents,
        currency: r.currency,
      })),
    },
  );
  return duplicate.id;
}
