/**
 * Payment methods from Stripe's test tokens (docs.stripe.com/testing#cards): attaching `pm_card_visa` etc.
 * creates a new `pm_…` on the customer; how its charges behave follows the token.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam } from '../errors.ts';
import { newId } from '../ids.ts';
import { allowOnly, requiredStr } from '../params.ts';
import type { Route } from '../router.ts';
import type { CardBehaviour, Obj } from '../store.ts';
import { getCustomer } from './customers.ts';

export const TEST_TOKENS: Record<string, { last4: string; brand: string; behaviour: CardBehaviour }> = {
  pm_card_visa: { last4: '4242', brand: 'visa', behaviour: 'succeeds' },
  pm_card_mastercard: { last4: '4444', brand: 'mastercard', behaviour: 'succeeds' },
  pm_card_chargeDeclined: { last4: '0002', brand: 'visa', behaviour: 'declines' },
  pm_card_chargeCustomerFail: { last4: '0341', brand: 'visa', behaviour: 'fails_later' },
};

/** Card numbers the hosted page accepts, mapped to the equivalent token. */
export const CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '5555555555554444': 'pm_card_mastercard',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000000341': 'pm_card_chargeCustomerFail',
};

export function paymentMethodFromToken(
  emu: Emu,
  token: string,
  customer: string | null,
  param = 'payment_method',
): Obj {
  const existing = emu.store.get('payment_method', token);
  if (existing) {
    if (customer && existing.customer !== customer) {
      existing.customer = customer;
      emu.store.changed();
      emu.emit('payment_method.attached', existing, undefined, customer);
    }
    return existing;
  }
  const t = TEST_TOKENS[token];
  if (!t) throw invalidParam(param, `No such PaymentMethod: '${token}'`, 'resource_missing');
  const pm: Partial<Stripe.PaymentMethod> = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: t.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: t.brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: newId('fp', 16).slice(3),
      funding: 'credit',
      generated_from: null,
      last4: t.last4,
      networks: { available: [t.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    } as Stripe.PaymentMethod.Card,
    created: emu.nowFor(customer),
    customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  emu.store.state.cards[pm.id as string] = t.behaviour;
  const stored = emu.store.put(pm as Obj);
  if (customer) emu.emit('payment_method.attached', stored, undefined, customer);
  return stored;
}

export const paymentMethodRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/payment_methods/:id',
    api: (req, emu) => {
      return emu.store.require('payment_method', req.path_params.id as string);
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id/attach',
    api: (req, emu) => {
      allowOnly(req.params, ['customer']);
      const customer = getCustomer(emu, requiredStr(req.params, 'customer'));
      const id = req.path_params.id as string;
      return paymentMethodFromToken(emu, id, customer.id, 'id');
    },
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id/detach',
    api: (req, emu) => {
      const pm = emu.store.require('payment_method', req.path_params.id as string);
      const previous = pm.customer;
      pm.customer = null;
      emu.store.changed();
      emu.emit('payment_method.detached', pm, { customer: previous }, previous);
      return pm;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/payment_methods',
    api: (req, emu) =>
      emu.store
        .all('payment_method')
        .filter((p) => p.customer && (req.params.customer === undefined || p.customer === req.params.customer)),
  },
  {
    method: 'GET',
    pattern: '/v1/customers/:id/payment_methods',
    api: (req, emu) => emu.store.all('payment_method').filter((p) => p.customer === req.path_params.id),
  },
];
