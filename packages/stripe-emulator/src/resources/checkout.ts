/**
 * Checkout Sessions: create, retrieve, list, expire, line items, and completion — what the hosted page does
 * when a card is entered, also reachable as the emulator-only `POST /v1/test_helpers/checkout/sessions/{id}/complete`
 * (packages/stripe-emulator/README.md#test-payment-methods). A declined card answers 402 `card_declined`, the session stays open.
 */
import type { Emu } from '../emu.ts';
import { cardDeclined, invalidRequest } from '../errors.ts';
import { allowOnly, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { startSubscription } from '../billing/subscription-billing.ts';
import { newId } from '../ids.ts';
import { createCustomer, getCustomer, updateCustomer } from './customers.ts';
import { createSession, expireSession, getSession, refreshExpiry } from './checkout-model.ts';
import { paymentMethodFromToken, TEST_TOKENS } from './payment-methods.ts';

const CREATE_FIELDS = [
  'mode',
  'line_items',
  'customer',
  'customer_email',
  'success_url',
  'cancel_url',
  'subscription_data',
  'metadata',
  'client_reference_id',
  'payment_method_types',
  'allow_promotion_codes',
  'billing_address_collection',
  'locale',
  'customer_creation',
  'expires_at',
  'ui_mode',
  'automatic_tax',
  'consent_collection',
  'payment_method_collection',
  'currency',
  'custom_text',
  'phone_number_collection',
  'tax_id_collection',
  'customer_update',
  'invoice_creation',
  'saved_payment_method_options',
  'submit_type',
  'return_url',
];

export function completeSession(emu: Emu, sessionId: string, token: string, email?: string): Obj {
  const session = refreshExpiry(emu, getSession(emu, sessionId));
  if (session.status !== 'open')
    throw invalidRequest(`This Checkout Session is no longer active (status: ${session.status}).`);
  const card = TEST_TOKENS[token];
  if (!card) throw invalidRequest(`No such PaymentMethod: '${token}'`, 'payment_method');
  if (card.behaviour === 'declines') throw cardDeclined();
  const customer = session.customer
    ? getCustomer(emu, session.customer)
    : createCustomer(emu, { email: email ?? session.customer_email ?? undefined });
  const pm = paymentMethodFromToken(emu, token, customer.id);
  // Checkout saves the card as the customer's default for invoices (subscription mode).
  updateCustomer(emu, customer, { invoice_settings: { ...customer.invoice_settings, default_payment_method: pm.id } });
  const items = (session._line_items as Obj[]).map((i) => ({
    price: emu.store.get('price', i.price) as Obj,
    quantity: (i.quantity ?? undefined) as number | undefined,
  }));
  if (session.mode === 'subscription') {
    const { sub, invoice } = startSubscription(emu, {
      customer,
      recurring: items.filter((i) => i.price.recurring),
      oneTime: items.filter((i) => !i.price.recurring),
      metadata: session._subscription_data.metadata,
      description: session._subscription_data.description,
      defaultPaymentMethod: pm.id,
      checkout: true,
    });
    session.subscription = sub.id;
    session.invoice = invoice.id;
  } else if (session.mode === 'payment') {
    session.payment_intent = newId('pi');
  }
  Object.assign(session, {
    status: 'complete',
    payment_status: session.mode === 'setup' ? 'no_payment_required' : 'paid',
    customer: customer.id,
    url: null,
    customer_details: {
      address: null,
      business_name: null,
      email: customer.email,
      individual_name: null,
      name: customer.name,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
  });
  emu.store.changed();
  emu.emit('checkout.session.completed', session, undefined, customer.id);
  return session;
}

export const checkoutRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/checkout/sessions',
    api: (req, emu) => {
      allowOnly(req.params, CREATE_FIELDS);
      return createSession(emu, req.params);
    },
  },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions/:id',
    api: (req, emu) => refreshExpiry(emu, getSession(emu, req.path_params.id as string)),
  },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions',
    api: (req, emu) =>
      emu.store
        .all('checkout.session')
        .filter(
          (s) =>
            (req.params.customer === undefined || s.customer === req.params.customer) &&
            (req.params.subscription === undefined || s.subscription === req.params.subscription) &&
            (req.params.status === undefined || s.status === req.params.status),
        ),
  },
  {
    method: 'GET',
    pattern: '/v1/checkout/sessions/:id/line_items',
    api: (req, emu) => getSession(emu, req.path_params.id as string)._line_items,
  },
  {
    method: 'POST',
    pattern: '/v1/checkout/sessions/:id/expire',
    api: (req, emu) => {
      const session = refreshExpiry(emu, getSession(emu, req.path_params.id as string));
      if (session.status !== 'open')
        throw invalidRequest(
          `Only Checkout Sessions with a status of \`open\` can be expired. This session has status \`${session.status}\`.`,
        );
      expireSession(emu, session);
      return session;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/test_helpers/checkout/sessions/:id/complete',
    api: (req, emu) => {
      allowOnly(req.params, ['payment_method', 'email']);
      return completeSession(
        emu,
        req.path_params.id as string,
        requiredStr(req.params, 'payment_method'),
        str(req.params, 'email'),
      );
    },
  },
];
