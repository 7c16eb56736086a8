/** Customers (docs.stripe.com/api/customers), including `test_clock` and the default payment method. */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { allowOnly, mergeMetadata, obj, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { paymentMethodFromToken } from './payment-methods.ts';
import { cancelSubscription } from '../billing/subscription-billing.ts';

const FIELDS = [
  'email',
  'name',
  'description',
  'phone',
  'metadata',
  'invoice_settings',
  'test_clock',
  'payment_method',
  'preferred_locales',
  'address',
];

export function getCustomer(emu: Emu, id: string, param = 'customer'): Obj {
  const c = emu.store.get('customer', id);
  if (!c || c.deleted) throw notFound('customer', id, param);
  return c;
}

export function createCustomer(emu: Emu, params: Obj): Obj {
  const clock = str(params, 'test_clock');
  if (clock && !emu.store.get('test_helpers.test_clock', clock))
    throw notFound('test_helpers.test_clock', clock, 'test_clock');
  const customer: Partial<Stripe.Customer> = {
    id: newId('cus'),
    object: 'customer',
    address: null,
    balance: 0,
    created: emu.clockTime(clock),
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(params, 'description') ?? null,
    discount: null,
    email: str(params, 'email') ?? null,
    invoice_prefix: newId('x', 8).slice(2).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: mergeMetadata({}, params.metadata),
    name: str(params, 'name') ?? null,
    next_invoice_sequence: 1,
    phone: str(params, 'phone') ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: clock ?? null,
  };
  const stored = emu.store.put(customer as Obj);
  emu.emit('customer.created', stored);
  // `payment_method` attaches a card at creation; `invoice_settings.default_payment_method` makes one the default.
  const pm = str(params, 'payment_method');
  if (pm) paymentMethodFromToken(emu, pm, stored.id, 'payment_method');
  const dpm = obj(params, 'invoice_settings')?.default_payment_method as string | undefined;
  if (dpm)
    stored.invoice_settings.default_payment_method = paymentMethodFromToken(
      emu,
      dpm,
      stored.id,
      'invoice_settings[default_payment_method]',
    ).id;
  return stored;
}

/** Applies an update and emits `customer.updated` with the previous values of what changed. */
export function updateCustomer(emu: Emu, customer: Obj, changes: Obj): Obj {
  const previous: Obj = {};
  for (const [k, v] of Object.entries(changes)) {
    if (JSON.stringify(customer[k]) !== JSON.stringify(v)) previous[k] = structuredClone(customer[k]);
    customer[k] = v;
  }
  emu.store.changed();
  if (Object.keys(previous).length) emu.emit('customer.updated', customer, previous);
  return customer;
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/customers',
    api: (req, emu) => {
      allowOnly(req.params, FIELDS);
      return createCustomer(emu, req.params);
    },
  },
  {
    method: 'GET',
    pattern: '/v1/customers/:id',
    api: (req, emu) => {
      return emu.store.require('customer', req.path_params.id as string);
    },
  },
  {
    method: 'POST',
    pattern: '/v1/customers/:id',
    api: (req, emu) => {
      allowOnly(
        req.params,
        FIELDS.filter((f) => f !== 'test_clock'),
      );
      const c = getCustomer(emu, req.path_params.id as string, 'id');
      const p = req.params;
      const changes: Obj = {};
      for (const f of ['email', 'name', 'description', 'phone'])
        if (p[f] !== undefined) changes[f] = p[f] === '' ? null : p[f];
      if (p.metadata !== undefined) changes.metadata = mergeMetadata(c.metadata, p.metadata);
      const dpm = obj(p, 'invoice_settings')?.default_payment_method;
      if (dpm !== undefined) {
        const id =
          dpm === ''
            ? null
            : paymentMethodFromToken(emu, String(dpm), c.id, 'invoice_settings[default_payment_method]').id;
        changes.invoice_settings = { ...c.invoice_settings, default_payment_method: id };
      }
      return updateCustomer(emu, c, changes);
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/customers/:id',
    api: (req, emu) => {
      const c = getCustomer(emu, req.path_params.id as string, 'id');
      // Deleting a customer cancels their subscriptions at once (docs.stripe.com/api/customers/delete).
      for (const sub of emu.store.all('subscription').filter((s) => s.customer === c.id && s.status !== 'canceled')) {
        cancelSubscription(emu, sub, { invoiceNow: false, reason: 'cancellation_requested' });
      }
      emu.store.remove('customer', c.id);
      emu.emit('customer.deleted', c);
      return { id: c.id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/customers',
    api: (req, emu) =>
      emu.store
        .all('customer')
        .filter(
          (c) =>
            (req.params.email === undefined || c.email === req.params.email) &&
            (req.params.test_clock === undefined || c.test_clock === req.params.test_clock),
        ),
  },
];
