/** Checkout Session objects and their `line_items` (docs.stripe.com/api/checkout/sessions/object). */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam, missingParam } from '../errors.ts';
import type { FormValue, Params } from '../form.ts';
import { newId } from '../ids.ts';
import { int, mergeMetadata, obj, str } from '../params.ts';
import type { Obj } from '../store.ts';
import { amountFor } from '../billing/tiers.ts';
import { customTextOf } from './checkout-custom-text.ts';
import { getCustomer } from './customers.ts';

const SESSION_LIFETIME_S = 24 * 3600;

function lineItems(emu: Emu, raw: FormValue | undefined, mode: string): Obj[] {
  if (!Array.isArray(raw) || raw.length === 0) throw missingParam('line_items');
  return raw.map((r, i) => {
    const li = r as Params;
    const priceId = li.price as string | undefined;
    if (!priceId) throw missingParam(`line_items[${i}][price]`);
    const price = emu.store.require('price', priceId, `line_items[${i}][price]`);
    if (!price.active)
      throw invalidParam(
        `line_items[${i}][price]`,
        `The price \`${priceId}\` is not available to be purchased because it is not active.`,
      );
    const metered = price.recurring?.usage_type === 'metered';
    const quantity = int(li.quantity, `line_items[${i}][quantity]`);
    // Metered prices take no quantity at Checkout (docs.stripe.com/payments/checkout/build-subscriptions).
    if (metered && quantity !== undefined)
      throw invalidParam(
        `line_items[${i}][quantity]`,
        `Quantity should not be specified where usage_type is \`metered\`. Remove quantity from \`line_items[${i}]\`.`,
      );
    if (!metered && quantity === undefined) throw missingParam(`line_items[${i}][quantity]`);
    if (mode === 'payment' && price.recurring)
      throw invalidParam(
        `line_items[${i}][price]`,
        'You must be in `subscription` mode to use recurring prices; use `mode=subscription`.',
      );
    const product = emu.store.get('product', price.product);
    const amount = metered ? 0 : amountFor(price as never, quantity ?? 1);
    const item: Partial<Stripe.LineItem> & Obj = {
      id: newId('li'),
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? '',
      metadata: {},
      price: price.id,
    } as Obj;
    item.quantity = metered ? null : quantity; // Stripe sends a metered line item's quantity as null
    return item;
  });
}

const UI_MODES = ['hosted_page', 'embedded_page', 'elements', 'form'];

export function createSession(emu: Emu, p: Params): Obj {
  const mode = str(p, 'mode');
  if (!mode) throw missingParam('mode');
  if (!['subscription', 'payment', 'setup'].includes(mode))
    throw invalidParam('mode', `Invalid mode: must be one of payment, setup, or subscription`);
  const customerId = str(p, 'customer') ?? null;
  const customer = customerId ? getCustomer(emu, customerId) : null;
  const items = lineItems(emu, p.line_items, mode);
  if (mode === 'subscription' && !items.some((i) => emu.store.get('price', i.price)?.recurring)) {
    throw invalidParam(
      'line_items',
      'You must provide at least one recurring price in `subscription` mode when using prices.',
    );
  }
  // Since 2026-03-25.dahlia `hosted_page`, `embedded_page`, `elements` replace `hosted`, `embedded`, `custom`, which
  // now fail (docs.stripe.com/changelog/dahlia/2026-03-25/updates-available-checkout-session-ui-modes).
  const uiMode = str(p, 'ui_mode') ?? 'hosted_page';
  if (!UI_MODES.includes(uiMode))
    throw invalidParam('ui_mode', `Invalid ui_mode: must be one of ${UI_MODES.join(', ')}`);
  const successUrl = str(p, 'success_url') ?? null;
  if (uiMode === 'hosted_page' && !successUrl) throw missingParam('success_url');
  const subtotal = items.reduce((s, i) => s + (i.amount_subtotal as number), 0);
  const now = emu.nowFor(customerId);
  const id = newId('cs_test', 58);
  const subData = obj(p, 'subscription_data');
  const session: Partial<Stripe.Checkout.Session> & Obj = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: subtotal,
    amount_total: subtotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: str(p, 'cancel_url') ?? null,
    client_reference_id: str(p, 'client_reference_id') ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: items[0] ? (emu.store.get('price', items[0].price)?.currency ?? 'eur') : 'eur',
    currency_conversion: null,
    custom_fields: [],
    custom_text: customTextOf(p),
    customer: customerId,
    customer_account: null,
    customer_creation: customerId ? null : 'always',
    customer_details: customer
      ? {
          address: null,
          business_name: null,
          email: customer.email,
          individual_name: null,
          name: customer.name,
          phone: null,
          tax_exempt: 'none',
          tax_ids: [],
        }
      : null,
    customer_email: str(p, 'customer_email') ?? null,
    discounts: [],
    expires_at: int(p.expires_at, 'expires_at') ?? now + SESSION_LIFETIME_S,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: (str(p, 'locale') ?? null) as never,
    managed_payments: null,
    metadata: mergeMetadata({}, p.metadata),
    mode: mode as Stripe.Checkout.Session.Mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: uiMode as never,
    url: `${emu.baseUrl}/c/pay/${id}`,
    wallet_options: null,
  } as Obj;
  session._line_items = items;
  session._subscription_data = {
    metadata: mergeMetadata({}, subData?.metadata),
    description: subData?.description ?? null,
  };
  return emu.store.put(session);
}

export function getSession(emu: Emu, id: string): Obj {
  return emu.store.require('checkout.session', id);
}

/** Lazily expires open sessions whose `expires_at` has passed on the customer's clock. */
export function refreshExpiry(emu: Emu, session: Obj): Obj {
  if (session.status === 'open' && emu.nowFor(session.customer) >= session.expires_at) expireSession(emu, session);
  return session;
}

export function expireSession(emu: Emu, session: Obj): void {
  session.status = 'expired';
  session.url = null;
  emu.store.changed();
  emu.emit('checkout.session.expired', session);
}

export function successUrlFor(session: Obj): string | null {
  return session.success_url ? String(session.success_url).replaceAll('{CHECKOUT_SESSION_ID}', session.id) : null;
}
