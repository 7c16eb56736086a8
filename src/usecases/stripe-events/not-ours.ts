/**
 * Events Stripe cannot back. A signed event about a subscription Stripe does not know (the re-read answers 404
 * `resource_missing`: docs.stripe.com/error-codes/resource-missing — another account or mode, a deleted test
 * object, a hand-made event) can never be applied: answering 5xx would make Stripe retry it for three days
 * (docs.stripe.com/webhooks#automatic-retries) and `stripe-events replay` would retry it for good. So it is
 * acknowledged and marked processed with a "not ours" log line. A Stripe outage (connection error, 5xx, 429) is
 * NOT this: it still propagates, so the route answers 5xx and Stripe delivers again.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';

/** Stripe answered 404 for the subscription we re-read. */
export class SubscriptionUnknownToStripe extends Error {
  constructor(
    readonly subscriptionId: string,
    options: { cause: unknown },
  ) {
    super(`Stripe does not know subscription ${subscriptionId}`, options);
    this.name = 'SubscriptionUnknownToStripe';
  }
}

export function isResourceMissing(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { type?: string; statusCode?: number; code?: string };
  return e.code === 'resource_missing' || (e.type === 'StripeInvalidRequestError' && e.statusCode === 404);
}

export function logNotOurs(ctx: AppContext, event: Stripe.Event, subscriptionId: string, reason: string): void {
  ctx.logger.warn('Stripe event not ours: acknowledged without change', {
    event_id: event.id,
    event_type: event.type,
    subscription: subscriptionId,
    reason,
  });
}
