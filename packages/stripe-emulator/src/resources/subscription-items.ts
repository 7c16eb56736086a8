/** Subscription items (docs.stripe.com/api/subscription_items): list by subscription, create, retrieve, update, delete. */
import type { Emu } from '../emu.ts';
import { notFound } from '../errors.ts';
import type { Params } from '../form.ts';
import { allowOnly, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { applyItemChanges, type ProrationBehavior } from '../billing/subscription-update.ts';
import { itemsOf, itemsSnapshot, updateSubscriptionFields } from '../billing/subscription-model.ts';
import { getSubscription } from './subscriptions.ts';

function getItem(emu: Emu, id: string): Obj {
  const item = emu.store.get('subscription_item', id);
  if (!item || item._deleted) throw notFound('subscription_item', id);
  return item;
}

/** Every item route is a subscription update on one item, so periods, prorations and events stay in one place. */
function change(emu: Emu, subId: string, itemChange: Params, behavior: string | undefined): void {
  const sub = getSubscription(emu, subId, 'subscription');
  const before = itemsSnapshot(emu, sub);
  if (applyItemChanges(emu, sub, [itemChange], (behavior ?? 'create_prorations') as ProrationBehavior)) {
    updateSubscriptionFields(emu, sub, {}, before);
  }
}

export const subscriptionItemRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/subscription_items',
    api: (req, emu) => itemsOf(emu, requiredStr(req.params, 'subscription')).reverse(),
  },
  {
    method: 'GET',
    pattern: '/v1/subscription_items/:id',
    api: (req, emu) => getItem(emu, req.path_params.id as string),
  },
  {
    method: 'POST',
    pattern: '/v1/subscription_items',
    api: (req, emu) => {
      allowOnly(req.params, [
        'subscription',
        'price',
        'quantity',
        'metadata',
        'proration_behavior',
        'payment_behavior',
      ]);
      const subId = requiredStr(req.params, 'subscription');
      const { price, quantity, metadata } = req.params;
      change(
        emu,
        subId,
        {
          price: price ?? '',
          ...(quantity !== undefined ? { quantity } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
        } as Params,
        str(req.params, 'proration_behavior'),
      );
      return itemsOf(emu, subId).find((i) => i.price === price) as Obj;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/subscription_items/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['price', 'quantity', 'metadata', 'proration_behavior', 'payment_behavior']);
      const item = getItem(emu, req.path_params.id as string);
      const { proration_behavior: _p, payment_behavior: _b, ...rest } = req.params;
      change(emu, item.subscription, { id: item.id, ...rest } as Params, str(req.params, 'proration_behavior'));
      return item;
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/subscription_items/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['proration_behavior', 'clear_usage']);
      const item = getItem(emu, req.path_params.id as string);
      const removal: Params = { id: item.id, deleted: 'true' };
      if (req.params.clear_usage === 'true') removal.clear_usage = 'true'; // the usage so far is not billed
      change(emu, item.subscription, removal, str(req.params, 'proration_behavior'));
      return { id: item.id, object: 'subscription_item', deleted: true };
    },
  },
];
