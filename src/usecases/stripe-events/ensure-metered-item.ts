/**
 * Yearly plans: Checkout sells the yearly flat price (+ setup fee) only; the monthly metered item is added here
 * (DESIGN.md §2: mixed intervals on one subscription, docs.stripe.com/billing/subscriptions/mixed-interval).
 * Idempotent twice over: we add only when the plan's metered price is missing, and the idempotency key is the
 * subscription's, so concurrent deliveries of several events add it once. `proration_behavior: 'none'`: a
 * metered item has nothing to prorate, and we must not create an invoice mid-term.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../../http/route.ts';
import type { MappedSubscription } from './map-subscription.ts';

export function needsMeteredItem(sub: Stripe.Subscription, mapped: MappedSubscription, billing: boolean): boolean {
  const metered = mapped.plan.stripeMeteredPriceId;
  return billing && mapped.billingPeriod === 'yearly' && !!metered && !sub.items.data.some((i) => i.price.id === metered);
}

export async function addMeteredItem(ctx: AppContext, sub: Stripe.Subscription, meteredPriceId: string): Promise<void> {
  await ctx.stripe.subscriptions.update(
    sub.id,
    { items: [{ price: meteredPriceId }], proration_behavior: 'none' },
    { idempotencyKey: `add-metered-${sub.id}` },
  );
}
