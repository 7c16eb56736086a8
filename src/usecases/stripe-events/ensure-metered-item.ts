/**
 * The plan's metered item, kept in step with the flat item the customer bought (docs/design.md#plan-changes):
 * - a yearly plan gets its monthly metered item added here (Checkout sells only the yearly flat price;
 *   `proration_behavior: 'none'`: nothing to prorate, nothing to invoice mid-term);
 * - a flat price changed elsewhere re-prices the old plan's metered item in place (`create_prorations`: the usage
 *   so far is billed through the old price, as our split cycle does), so it arrives as a metered-price replacement.
 * Idempotent: it acts only on a re-read mismatch, under keys that name the exact operation and, for a re-price,
 * the event — why the event is in the key: docs/design.md#plan-changes.
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
