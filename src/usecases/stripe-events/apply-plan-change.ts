/**
 * A plan change mid-period (an operator in the Dashboard, or the billing portal, replacing the items' prices):
 * the current cycle is split at the moment of the change, the part after it taking the terms of the NEW metered
 * price (repositories/split-cycle.ts quotes Stripe's rule). The moment is the `customer.subscription.updated`
 * event that reports the metered price's replacement (its `created`); the terms come from Stripe's current metered
 * price, re-read.
 * Other events that see the new prices first leave the cycle alone: Stripe delivers the change's own event too.
 * Redelivery is a no-op (the cycle containing the change already carries these terms); a change older than the
 * current cycle touches nothing (closed cycles never change).
 */
import type Stripe from 'stripe';
import type { AppContext } from '../../http/route.ts';
import { splitCycleAtPlanChange } from '../../repositories/split-cycle.ts';
import { findPlanByPriceIds } from './plan-prices.ts';

type ItemLike = { id: string; price?: { id: string; recurring?: { usage_type?: string } | null } | string };
const priceIdOf = (item: ItemLike) => (typeof item.price === 'string' ? item.price : item.price?.id);

/**
 * When this event reports that a METERED price was replaced or removed: a `customer.subscription.updated` whose
 * `previous_attributes.items` holds a metered item whose price the event's subscription no longer has on that
 * item. Other item changes (the yearly plan's metered item being added, a quantity) are no plan change.
 */
export function meteredPriceChangedAt(event: Stripe.Event): Date | undefined {
  if (event.type !== 'customer.subscription.updated') return undefined;
  const previous = (event.data.previous_attributes as { items?: { data?: ItemLike[] } } | undefined)?.items?.data ?? [];
  const now = (event.data.object as { items?: { data?: ItemLike[] } }).items?.data ?? [];
  const replaced = previous.some((old) => {
    if (typeof old.price === 'string' || old.price?.recurring?.usage_type !== 'metered') return false;
    return priceIdOf(now.find((item) => item.id === old.id) ?? { id: old.id }) !== old.price.id;
  });
  return replaced ? new Date(event.created * 1000) : undefined;
}

export async function applyPlanChange(ctx: AppContext, rowId: string, metered: Stripe.SubscriptionItem, changedAt: Date): Promise<void> {
  const terms = await findPlanByPriceIds(ctx.sql, [metered.price.id]);
  if (!terms) return; // a metered price of none of our plans: keep the terms we have
  const split = await ctx.sql.transaction((tx) =>
    splitCycleAtPlanChange(tx, {
      subscriptionId: rowId,
      changedAt,
      periodEnd: new Date(metered.current_period_end * 1000),
      includedMinutes: terms.includedMinutes,
      overageRateCents: terms.overageRateCents,
    }),
  );
  if (split) ctx.logger.info('billing cycle split at a plan change', { subscription: rowId, plan: terms.id, changed_at: changedAt.toISOString() });
}
