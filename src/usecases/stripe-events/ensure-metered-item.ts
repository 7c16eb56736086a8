/**
 * The plan's metered item, kept in step with the flat item the customer bought.
 *
 * Yearly plans: Checkout sells the yearly flat price (+ setup fee) only; the monthly metered item is added here
 * (docs/design.md#billing-cycles-and-periods: mixed intervals on one subscription,
 * docs.stripe.com/billing/subscriptions/mixed-interval).
 * `proration_behavior: 'none'`: an added metered item has nothing to prorate, and we must not invoice mid-term.
 *
 * A plan change that replaced only the flat price (Starter yearly → Growth yearly in the Dashboard) leaves the old
 * plan's metered item in place: the usage would keep billing at the old terms. We re-price THAT item to the new
 * plan's metered price (docs.stripe.com/api/subscription_items/update via `items[0][id]` + `items[0][price]`)
 * rather than deleting it and adding another: the item keeps its id and monthly period, so the change reaches us
 * as an ordinary metered-price replacement (apply-plan-change.ts splits the cycle at its event's `created`).
 * `proration_behavior: 'create_prorations'`: Stripe then bills the usage reported so far through the OLD price as
 * a pending invoice item on the next (monthly) invoice, as our split cycle does; with `none` it would drop that
 * usage unbilled (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle).
 * Only the metered item changes, and metered items never prorate themselves, so nothing else is invoiced.
 *
 * Idempotent twice over: we act only when the plan's metered price is missing (re-read state), and each key
 * names the exact operation, so a later, different change never reuses an earlier key (Stripe answers a key reused
 * with other params with a 400 idempotency_error, and replays the first answer to the same params, for 24 h:
 * docs.stripe.com/api/idempotent_requests).
 * - Adding is once in a subscription's life: keyed by subscription and price (Stripe also refuses a second item
 *   of the same price).
 * - Re-pricing is keyed by the EVENT being applied as well: a flip back and forth within 24 h (A → B → A → B)
 *   would otherwise reuse the first A → B key and get its stale answer, leaving the item on A. A redelivery of
 *   the same event shares the key and acts once; two different events that both see the mismatch each ask for
 *   the same target price, and the second request changes nothing at Stripe (same price, nothing to prorate).
 *   A handler that acted on a stale read is corrected by the `customer.subscription.updated` its own update
 *   causes: that event re-reads, sees the mismatch, and fixes it under its own key.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import type { MappedSubscription } from './map-subscription.ts';
import { isPlanMeteredPrice } from '../../repositories/plans.ts';

export type MeteredItemFix =
  | { kind: 'add'; price: string }
  | { kind: 'replace'; itemId: string; from: string; price: string };

const isMetered = (item: Stripe.SubscriptionItem) => item.price.recurring?.usage_type === 'metered';

/** What to change so the subscription carries exactly the plan's metered price; undefined when it does. */
export async function meteredItemFix(
  ctx: AppContext,
  sub: Stripe.Subscription,
  mapped: MappedSubscription,
  billing: boolean,
): Promise<MeteredItemFix | undefined> {
  const metered = mapped.plan.stripeMeteredPriceId;
  if (!billing || !metered || sub.items.data.some((i) => i.price.id === metered)) return undefined;
  for (const item of sub.items.data.filter(isMetered)) {
    if (await isPlanMeteredPrice(ctx.sql, item.price.id))
      return { kind: 'replace', itemId: item.id, from: item.price.id, price: metered };
  }
  return mapped.billingPeriod === 'yearly' ? { kind: 'add', price: metered } : undefined;
}

export async function applyMeteredItemFix(
  ctx: AppContext,
  sub: Stripe.Subscription,
  fix: MeteredItemFix,
  eventId: string,
): Promise<void> {
  if (fix.kind === 'add') {
    await ctx.stripe.subscriptions.update(
      sub.id,
      { items: [{ price: fix.price }], proration_behavior: 'none' },
      { idempotencyKey: `add-metered-${sub.id}-${fix.price}` },
    );
    return;
  }
  await ctx.stripe.subscriptions.update(
    sub.id,
    { items: [{ id: fix.itemId, price: fix.price }], proration_behavior: 'create_prorations' },
    { idempotencyKey: `replace-metered-${sub.id}-${fix.itemId}-${fix.from}-${fix.price}-${eventId}` },
  );
  ctx.logger.info('metered item re-priced to the plan of the flat item', {
    subscription: sub.id,
    item: fix.itemId,
    from: fix.from,
    to: fix.price,
    event: eventId,
  });
}
