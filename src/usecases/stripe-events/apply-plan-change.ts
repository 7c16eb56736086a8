/**
 * A plan change mid-period (an operator in the Dashboard, or the billing portal, replacing the items' prices):
 * the current cycle is split at the moment of the change, the part after it taking the terms of the NEW metered
 * price (repositories/split-cycle.ts quotes Stripe's rule). Moment AND terms come from the
 * `customer.subscription.updated` event that reports the metered price's replacement: its `created`, and the
 * metered price its own `data.object` (the subscription as of that event) carries — not the price Stripe has now,
 * which a later change may have replaced again: a change handled late still splits with its own plan's terms.
 * The terms are our plan's for that price (billing_plans mirrors the tiers `catalog sync` gave that price:
 * first tier free up to the included minutes, then the overage rate), so no extra Stripe read is needed.
 * Other events that see the new prices first leave the cycle alone: Stripe delivers the change's own event too.
 * Redelivery is a no-op (the change's moment is already a cycle boundary). Two changes in one period handled in
 * reverse order end as if handled in order: the earlier one splits the part the later one closed. A change in a
 * usage period whose invoice is already recorded touches nothing (split-cycle.ts).
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { splitCycleAtPlanChange } from '../../repositories/split-cycle.ts';
import { findPlanByPriceIds } from '../../repositories/plans.ts';

type ItemLike = {
  id: string;
  current_period_start?: number;
  current_period_end?: number;
  price?: { id: string; recurring?: { usage_type?: string } | null } | string;
};
const priceIdOf = (item: ItemLike) => (typeof item.price === 'string' ? item.price : item.price?.id);
const isMeteredItem = (item: ItemLike) =>
  typeof item.price !== 'string' && item.price?.recurring?.usage_type === 'metered';

export interface MeteredPriceChange {
  /** The event's `created`: the boundary between the two prices' usage windows. */
  at: Date;
  /** The metered price the subscription carried as of that event. */
  meteredPriceId: string;
  /** That item's usage period as of the event, when the event carries it. */
  periodStart: Date | undefined;
  periodEnd: Date | undefined;
}

/**
 * When this event reports that a METERED price was replaced: a `customer.subscription.updated` whose
 * `previous_attributes.items` holds a metered item whose price the event's subscription no longer has on that
 * item, and whose subscription carries a (new) metered price. Other item changes (the yearly plan's metered item
 * being added, a quantity) are no plan change.
 */
export function meteredPriceChange(event: Stripe.Event): MeteredPriceChange | undefined {
  if (event.type !== 'customer.subscription.updated') return undefined;
  const previous = (event.data.previous_attributes as { items?: { data?: ItemLike[] } } | undefined)?.items?.data ?? [];
  const now = (event.data.object as { items?: { data?: ItemLike[] } }).items?.data ?? [];
  const replaced = previous.find((old) => {
    if (!isMeteredItem(old)) return false;
    return priceIdOf(now.find((item) => item.id === old.id) ?? { id: old.id }) !== priceIdOf(old);
  });
  if (!replaced) return undefined;
  // The same item re-priced, else (the old item deleted, another added) the metered item the event carries.
  const successor = [now.find((item) => item.id === replaced.id), ...now.filter(isMeteredItem)].find(
    (item) => item && isMeteredItem(item),
  );
  const meteredPriceId = successor && priceIdOf(successor);
  if (!meteredPriceId) return undefined;
  const date = (unix: number | undefined) => (unix ? new Date(unix * 1000) : undefined);
  return {
    at: new Date(event.created * 1000),
    meteredPriceId,
    periodStart: date(successor.current_period_start),
    periodEnd: date(successor.current_period_end),
  };
}

/** `current`: the re-read metered item's period, when the event does not carry its own. */
export async function applyPlanChange(
  ctx: AppContext,
  rowId: string,
  change: MeteredPriceChange,
  current: { start: Date; end: Date },
): Promise<void> {
  const terms = await findPlanByPriceIds(ctx.sql, [change.meteredPriceId]);
  if (!terms) return; // a metered price of none of our plans: keep the terms we have
  const split = await ctx.sql.transaction((tx) =>
    splitCycleAtPlanChange(tx, {
      subscriptionId: rowId,
      changedAt: change.at,
      periodStart: change.periodStart ?? current.start,
      periodEnd: change.periodEnd ?? current.end,
      includedMinutes: terms.includedMinutes,
      overageRateCents: terms.overageRateCents,
    }),
  );
  if (split)
    ctx.logger.info('billing cycle split at a plan change', {
      subscription: rowId,
      plan: terms.id,
      changed_at: change.at.toISOString(),
    });
}
