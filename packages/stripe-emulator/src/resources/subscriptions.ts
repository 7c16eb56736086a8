/**
 * Subscriptions (docs.stripe.com/api/subscriptions): create, retrieve, update (items, proration_behavior,
 * cancel_at_period_end, cancel_at incl. 'max_period_end'/'min_period_end', metadata, default_payment_method),
 * cancel (invoice_now, prorate), list. `cancel_at_period_end` on a mixed-interval subscription resolves to the
 * earliest item period end (docs.stripe.com/billing/subscriptions/mixed-interval#cancel).
 */
import type { Emu } from '../emu.ts';
import { cardDeclined, invalidParam, invalidRequest, missingParam, notFound } from '../errors.ts';
import type { FormValue, Params } from '../form.ts';
import { allowOnly, arr, bool, int, mergeMetadata, obj, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { cancelSubscription, scheduleRenewal, startSubscription } from '../billing/subscription-billing.ts';
import { applyItemChanges, type ProrationBehavior } from '../billing/subscription-update.ts';
import { itemsOf, itemsSnapshot, updateSubscriptionFields } from '../billing/subscription-model.ts';
import { getCustomer } from './customers.ts';
import { paymentMethodFromToken } from './payment-methods.ts';

export function getSubscription(emu: Emu, id: string, param = 'id'): Obj {
  return emu.store.require('subscription', id, param);
}

function resolveCancelAt(emu: Emu, sub: Obj, value: FormValue | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  const ends = itemsOf(emu, sub.id).map((i) => i.current_period_end as number);
  if (value === 'max_period_end') return Math.max(...ends);
  if (value === 'min_period_end') return Math.min(...ends);
  const at = int(value, 'cancel_at') as number;
  if (at <= emu.nowFor(sub.customer)) throw invalidParam('cancel_at', 'cancel_at must be in the future.');
  return at;
}

function create(emu: Emu, p: Params): Obj {
  allowOnly(p, [
    'customer',
    'items',
    'default_payment_method',
    'metadata',
    'payment_behavior',
    'add_invoice_items',
    'description',
    'collection_method',
    'proration_behavior',
    'billing_mode',
    'off_session',
    'payment_settings',
    'cancel_at_period_end',
    'cancel_at',
  ]);
  const customer = getCustomer(emu, requiredStr(p, 'customer'));
  const rawItems = arr(p, 'items');
  if (!rawItems?.length) throw missingParam('items');
  const toPriced = (list: FormValue[], field: string) =>
    list.map((r, i) => {
      const it = r as Params;
      const price = emu.store.get('price', String(it.price ?? ''));
      if (!price)
        throw it.price
          ? notFound('price', String(it.price), `${field}[${i}][price]`)
          : missingParam(`${field}[${i}][price]`);
      return {
        price,
        quantity: int(it.quantity, `${field}[${i}][quantity]`),
        metadata: mergeMetadata({}, it.metadata),
      };
    });
  const dpmRaw = str(p, 'default_payment_method');
  const dpm = dpmRaw ? paymentMethodFromToken(emu, dpmRaw, customer.id, 'default_payment_method').id : null;
  const behaviour = str(p, 'payment_behavior') ?? 'allow_incomplete';
  const { sub, paid } = startSubscription(emu, {
    customer,
    recurring: toPriced(rawItems, 'items'),
    oneTime: toPriced(arr(p, 'add_invoice_items') ?? [], 'add_invoice_items'),
    metadata: mergeMetadata({}, p.metadata),
    defaultPaymentMethod: dpm,
    chargeNow: behaviour !== 'default_incomplete',
    description: str(p, 'description') ?? null,
  });
  if (!paid && behaviour === 'error_if_incomplete') {
    // Stripe creates nothing in this case; the emulator ends the half-made subscription instead.
    emu.scheduler.cancel('expire_incomplete', sub.id);
    sub.status = 'incomplete_expired';
    throw cardDeclined();
  }
  if (bool(p.cancel_at_period_end, 'cancel_at_period_end') || p.cancel_at !== undefined) {
    update(emu, sub, {
      cancel_at_period_end: p.cancel_at_period_end ?? 'false',
      ...(p.cancel_at !== undefined ? { cancel_at: p.cancel_at } : {}),
    } as Params);
  }
  return sub;
}

function update(emu: Emu, sub: Obj, p: Params): Obj {
  allowOnly(p, [
    'items',
    'proration_behavior',
    'cancel_at_period_end',
    'cancel_at',
    'metadata',
    'default_payment_method',
    'description',
    'payment_behavior',
    'off_session',
    'cancellation_details',
  ]);
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`);
  }
  const behavior = (str(p, 'proration_behavior') ?? 'create_prorations') as ProrationBehavior;
  if (!['create_prorations', 'always_invoice', 'none'].includes(behavior))
    throw invalidParam('proration_behavior', 'Invalid proration_behavior.');
  const before = itemsSnapshot(emu, sub);
  const items = arr(p, 'items');
  const itemsChanged = items ? applyItemChanges(emu, sub, items as Params[], behavior) : false;
  const changes: Obj = {};
  if (p.metadata !== undefined) changes.metadata = mergeMetadata(sub.metadata, p.metadata);
  if (p.description !== undefined) changes.description = str(p, 'description') || null;
  if (p.default_payment_method !== undefined) {
    const raw = str(p, 'default_payment_method');
    changes.default_payment_method = raw
      ? paymentMethodFromToken(emu, raw, sub.customer, 'default_payment_method').id
      : null;
  }
  const cape = bool(p.cancel_at_period_end, 'cancel_at_period_end');
  const cancelAt = resolveCancelAt(emu, sub, p.cancel_at);
  if (cape !== undefined && cancelAt !== undefined && cape && cancelAt !== null) {
    throw invalidRequest('You may only specify one of these parameters: cancel_at, cancel_at_period_end.', 'cancel_at');
  }
  if (cape === true)
    Object.assign(changes, {
      cancel_at_period_end: true,
      cancel_at: Math.min(...itemsOf(emu, sub.id).map((i) => i.current_period_end as number)),
    });
  if (cape === false || cancelAt === null) Object.assign(changes, { cancel_at_period_end: false, cancel_at: null });
  if (typeof cancelAt === 'number') Object.assign(changes, { cancel_at_period_end: false, cancel_at: cancelAt });
  if (changes.cancel_at !== undefined) {
    changes.canceled_at = changes.cancel_at === null ? null : emu.nowFor(sub.customer);
    changes.cancellation_details = {
      ...sub.cancellation_details,
      reason: changes.cancel_at === null ? null : 'cancellation_requested',
    };
  }
  updateSubscriptionFields(emu, sub, changes, itemsChanged ? before : {});
  scheduleRenewal(emu, sub);
  return sub;
}

export const subscriptionRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/subscriptions', api: (req, emu) => create(emu, req.params) },
  {
    method: 'GET',
    pattern: '/v1/subscriptions/:id',
    api: (req, emu) => getSubscription(emu, req.path_params.id as string),
  },
  {
    method: 'POST',
    pattern: '/v1/subscriptions/:id',
    api: (req, emu) => update(emu, getSubscription(emu, req.path_params.id as string), req.params),
  },
  {
    method: 'DELETE',
    pattern: '/v1/subscriptions/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['invoice_now', 'prorate', 'cancellation_details']);
      const sub = getSubscription(emu, req.path_params.id as string);
      if (sub.status === 'canceled')
        throw invalidRequest(`No such subscription: '${sub.id}'; it has already been canceled.`);
      const details = obj(req.params, 'cancellation_details');
      cancelSubscription(emu, sub, {
        invoiceNow: bool(req.params.invoice_now, 'invoice_now') ?? false,
        reason: 'cancellation_requested',
        comment: (details?.comment as string) ?? null,
        feedback: (details?.feedback as string) ?? null,
      });
      return sub;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/subscriptions',
    api: (req, emu) => {
      const q = req.params;
      return emu.store
        .all('subscription')
        .filter(
          (s) =>
            (q.customer === undefined || s.customer === q.customer) &&
            (q.price === undefined || itemsOf(emu, s.id).some((i) => i.price === q.price)) &&
            (q.test_clock === undefined || s.test_clock === q.test_clock) &&
            (q.status === 'all' ? true : q.status === undefined ? s.status !== 'canceled' : s.status === q.status),
        );
    },
  },
];
