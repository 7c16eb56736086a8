/**
 * Two live subscriptions for one organisation: the customer paid two Checkout Sessions (two tabs, a double click,
 * the back button) before either's webhook was handled. Stripe bills both; we store one (`subscriptions_one_live_per_org`),
 * so the other's events would fail on the unique key and be retried by Stripe for 3 days, while the customer pays twice.
 *
 * We keep the OLDER subscription (the first payment) and cancel the newer one at Stripe, immediately and without
 * proration (docs.stripe.com/api/subscriptions/cancel: `prorate`), with a stable idempotency key so a retried event
 * cancels once. Its first invoice (flat fee + setup fee) has been paid: refunding it is left to a person, so we log
 * an error naming both subscriptions and that invoice. The caller then converges both rows again: the canceled one
 * is stored canceled, which frees the organisation's live slot when it was the one stored.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../../http/route.ts';
import { idOf } from './map-subscription.ts';

/** Cancels the newer of two live subscriptions of one organisation at Stripe; returns the canceled one's id. */
export async function cancelDuplicateSubscription(ctx: AppContext, orgId: string, incoming: Stripe.Subscription, stored: Stripe.Subscription): Promise<string> {
  // Equal creation times (same second): the incoming one is the duplicate, the stored one already has our rows.
  const [kept, duplicate] = incoming.created < stored.created ? [incoming, stored] : [stored, incoming];
  await ctx.stripe.subscriptions.cancel(duplicate.id, { prorate: false }, { idempotencyKey: `cancel-duplicate-${duplicate.id}` });
  ctx.logger.error('duplicate subscription canceled: refund its invoice by hand', {
    org_id: orgId,
    kept_subscription: kept.id,
    canceled_subscription: duplicate.id,
    invoice_to_refund: idOf(duplicate.latest_invoice) ?? null,
  });
  return duplicate.id;
}
