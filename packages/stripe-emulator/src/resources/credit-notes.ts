/**
 * Credit notes (docs.stripe.com/api/credit_notes/create) and the refunds they make (docs.stripe.com/api/refunds).
 * A credit note on a finalized invoice first lowers what is still due (`pre_payment_amount`); the rest
 * (`post_payment_amount`, on a paid invoice) must be split exactly into `refund_amount`, `credit_amount` and
 * `out_of_band_amount`. `refund_amount` refunds the invoice's payment at once: a `re_…` Refund, `succeeded`.
 * Supported: `amount` (no `lines`, `refunds` or `shipping_cost`); `credit_amount` is accepted but the customer
 * balance is not modelled. Emits `credit_note.created`, and `refund.created` for the refund.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest, missingParam } from '../errors.ts';
import { newId } from '../ids.ts';
import { listOf } from '../list.ts';
import { allowOnly, int, mergeMetadata, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { getInvoice } from './invoices.ts';
import { newRefund } from './refunds.ts';

const CREATE_FIELDS = [
  'invoice',
  'amount',
  'refund_amount',
  'credit_amount',
  'out_of_band_amount',
  'reason',
  'memo',
  'metadata',
  'email_type',
  'effective_at',
];
const REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory'];

function createCreditNote(emu: Emu, p: Obj): Obj {
  allowOnly(p, CREATE_FIELDS);
  const invoice = getInvoice(emu, requiredStr(p, 'invoice'));
  if (invoice.status !== 'open' && invoice.status !== 'paid') {
    throw invalidRequest(
      `You can only create credit notes on finalized invoices that are open or paid; this one is ${invoice.status}.`,
      'invoice',
    );
  }
  const amount = int(p.amount, 'amount');
  if (amount === undefined) throw missingParam('amount');
  const [refundAmount, creditAmount, outOfBand] = (
    ['refund_amount', 'credit_amount', 'out_of_band_amount'] as const
  ).map((k) => int(p[k], k) ?? 0) as [number, number, number];
  const reason = str(p, 'reason') ?? null;
  if (reason !== null && !REASONS.includes(reason))
    throw invalidParam('reason', `Invalid reason: must be one of ${REASONS.join(', ')}`);
  const creditable =
    (invoice.total as number) -
    (invoice.pre_payment_credit_notes_amount as number) -
    (invoice.post_payment_credit_notes_amount as number);
  if (amount <= 0 || amount > creditable)
    throw invalidParam(
      'amount',
      `The credit note amount must be between 1 and the invoice's remaining creditable amount (${creditable}).`,
    );
  const prePayment = Math.min(amount, invoice.amount_remaining as number);
  const postPayment = amount - prePayment;
  if (refundAmount + creditAmount + outOfBand !== postPayment) {
    throw invalidRequest(
      `The sum of refund_amount, credit_amount and out_of_band_amount (${refundAmount + creditAmount + outOfBand}) must equal the post-payment amount of the credit note (${postPayment}).`,
    );
  }

  const now = emu.nowFor(invoice.customer);
  const id = newId('cn');
  const refund =
    refundAmount > 0
      ? newRefund(emu, {
          amount: refundAmount,
          currency: invoice.currency,
          customer: invoice.customer,
          creditNote: id,
          invoice: invoice.id,
        })
      : null;
  const sequence = emu.store.all('credit_note').filter((c) => c.invoice === invoice.id).length + 1;
  const note: Partial<Stripe.CreditNote> & Obj = {
    id,
    object: 'credit_note',
    amount,
    amount_shipping: 0,
    created: now,
    currency: invoice.currency,
    customer: invoice.customer,
    customer_account: null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: int(p.effective_at, 'effective_at') ?? now,
    invoice: invoice.id,
    lines: listOf([], `/v1/credit_notes/${id}/lines`),
    livemode: false,
    memo: str(p, 'memo') ?? null,
    metadata: mergeMetadata({}, p.metadata),
    number: `${invoice.number}-CN-${String(sequence).padStart(2, '0')}`,
    out_of_band_amount: outOfBand || null,
    pdf: `${emu.baseUrl}/cn/${id}/pdf`,
    post_payment_amount: postPayment,
    pre_payment_amount: prePayment,
    pretax_credit_amounts: [],
    reason: reason as Stripe.CreditNote.Reason | null,
    refunds: refund
      ? [{ amount_refunded: refundAmount, payment_record_refund: null, refund: refund.id, type: 'refund' }]
      : [],
    shipping_cost: null,
    status: 'issued',
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    total_taxes: [],
    type: prePayment && postPayment ? 'mixed' : postPayment ? 'post_payment' : 'pre_payment',
    voided_at: null,
  };
  invoice.pre_payment_credit_notes_amount += prePayment;
  invoice.post_payment_credit_notes_amount += postPayment;
  invoice.amount_remaining -= prePayment;
  emu.store.put(note as Obj);
  emu.emit('credit_note.created', note as Obj, undefined, invoice.customer);
  if (refund) emu.emit('refund.created', refund, undefined, invoice.customer);
  return note as Obj;
}

export const creditNoteRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/credit_notes', api: (req, emu) => createCreditNote(emu, req.params) },
  {
    method: 'GET',
    pattern: '/v1/credit_notes/:id',
    api: (req, emu) => emu.store.require('credit_note', req.path_params.id as string),
  },
  {
    method: 'GET',
    pattern: '/v1/credit_notes',
    api: (req, emu) =>
      emu.store
        .all('credit_note')
        .filter(
          (c) =>
            (req.params.invoice === undefined || c.invoice === req.params.invoice) &&
            (req.params.customer === undefined || c.customer === req.params.customer),
        ),
  },
];
