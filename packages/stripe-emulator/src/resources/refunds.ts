/**
 * Refunds (docs.stripe.com/api/refunds/object): made by a credit note's `refund_amount` (credit-notes.ts) and read
 * back with retrieve and list. Card refunds succeed at once. The emulator keeps no Charge or PaymentIntent objects,
 * so `charge` and `payment_intent` are null; `payment_method` names the card the invoice was paid with.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { paymentMethodFor } from '../billing/invoices.ts';

export interface NewRefund {
  amount: number;
  currency: string;
  customer: string;
  creditNote: string;
  invoice: string;
}

export function newRefund(emu: Emu, spec: NewRefund): Obj {
  const invoice = emu.store.get('invoice', spec.invoice);
  const refund: Stripe.Refund = {
    id: newId('re'),
    object: 'refund',
    amount: spec.amount,
    balance_transaction: null,
    charge: null,
    created: emu.nowFor(spec.customer),
    currency: spec.currency,
    customer: spec.customer,
    customer_account: null,
    metadata: {},
    payment_intent: null,
    payment_method: invoice ? paymentMethodFor(emu, invoice) : null,
    reason: null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  return emu.store.put(refund as unknown as Obj);
}

export const refundRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/refunds/:id',
    api: (req, emu) => emu.store.require('refund', req.path_params.id as string),
  },
  { method: 'GET', pattern: '/v1/refunds', api: (_req, emu) => emu.store.all('refund') },
];
