/**
 * Invoice lifecycle (docs.stripe.com/invoicing/overview): draft → open (finalised) → paid | void.
 * Subscription invoices are charged automatically with the invoice's, the subscription's or the customer's
 * default payment method; renewal drafts are finalised about an hour after creation
 * (docs.stripe.com/billing/subscriptions/overview#subscription-lifecycle).
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import type { Obj } from '../store.ts';
import { linesOf, refreshMeteredLines } from './lines.ts';
import { afterInvoicePaid, afterInvoicePaymentFailed } from './dunning.ts';

export const FINALIZE_DELAY_S = 3600;

export interface NewInvoice {
  customer: Obj;
  subscription?: Obj | null;
  billingReason: Stripe.Invoice.BillingReason;
  periodStart: number;
  periodEnd: number;
}

export function newInvoice(emu: Emu, spec: NewInvoice): Obj {
  const now = emu.nowFor(spec.customer.id);
  const sub = spec.subscription ?? null;
  const id = newId('in');
  const invoice: Partial<Stripe.Invoice> & Obj = {
    id,
    object: 'invoice',
    account_country: 'DE',
    account_name: 'AiSyst (emulated)',
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: spec.billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: 'eur',
    custom_fields: null,
    customer: spec.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: spec.customer.email,
    customer_name: spec.customer.name,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: sub
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: spec.periodEnd,
    period_start: spec.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: spec.customer.test_clock ?? null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  } as Obj;
  if (sub?.currency) invoice.currency = sub.currency;
  return emu.store.put(invoice);
}

export function recomputeTotals(emu: Emu, invoice: Obj): void {
  const subtotal = linesOf(emu, invoice.id).reduce((s, l) => s + (l.amount as number), 0);
  const lines = linesOf(emu, invoice.id);
  if (lines[0]) invoice.currency = lines[0].currency;
  Object.assign(invoice, {
    subtotal,
    subtotal_excluding_tax: subtotal,
    total: subtotal,
    total_excluding_tax: subtotal,
    amount_due: Math.max(0, subtotal),
    amount_remaining: Math.max(0, subtotal) - (invoice.amount_paid as number),
  });
  emu.store.changed();
}

/** Emits `invoice.created`; the draft is finalised right away (`immediate`) or an hour later on its clock. */
export function openDraft(emu: Emu, invoice: Obj, immediate: boolean): void {
  recomputeTotals(emu, invoice);
  emu.emit('invoice.created', invoice);
  if (immediate) return;
  const at = (invoice.created as number) + FINALIZE_DELAY_S;
  invoice.automatically_finalizes_at = at;
  emu.scheduler.schedule('finalize', invoice.id, at, invoice.test_clock ?? null);
}

export function finalizeInvoice(emu: Emu, invoice: Obj): void {
  if (invoice.status !== 'draft') return;
  refreshMeteredLines(emu, invoice.id);
  recomputeTotals(emu, invoice);
  const customer = emu.store.get('customer', invoice.customer);
  const now = emu.nowFor(invoice.customer);
  const seq = customer ? customer.next_invoice_sequence++ : 1;
  Object.assign(invoice, {
    status: 'open',
    number: `${customer?.invoice_prefix ?? 'EMU'}-${String(seq).padStart(4, '0')}`,
    effective_at: now,
    automatically_finalizes_at: null,
    hosted_invoice_url: `${emu.baseUrl}/i/${invoice.id}`,
    invoice_pdf: `${emu.baseUrl}/i/${invoice.id}/pdf`,
  });
  invoice.status_transitions.finalized_at = now;
  emu.store.changed();
  emu.emit('invoice.finalized', invoice);
}

export function paymentMethodFor(emu: Emu, invoice: Obj): string | null {
  const sub = invoice.parent?.subscription_details?.subscription
    ? emu.store.get('subscription', invoice.parent.subscription_details.subscription)
    : undefined;
  const customer = emu.store.get('customer', invoice.customer);
  return (
    invoice.default_payment_method ??
    sub?.default_payment_method ??
    customer?.invoice_settings?.default_payment_method ??
    null
  );
}

/**
 * Charges an open invoice. `checkout` marks the charge made while the customer is at Checkout, where a
 * `pm_card_chargeCustomerFail` card still succeeds (it fails on later, off-session charges).
 */
export function attemptPayment(
  emu: Emu,
  invoice: Obj,
  opts: { checkout?: boolean; paymentMethod?: string } = {},
): boolean {
  if (invoice.status !== 'open') return invoice.status === 'paid';
  const now = emu.nowFor(invoice.customer);
  if (invoice.amount_due === 0) {
    markPaid(emu, invoice, now);
    return true;
  }
  const pm = opts.paymentMethod ?? paymentMethodFor(emu, invoice);
  const behaviour = pm ? emu.store.state.cards[pm] : undefined;
  invoice.attempt_count++;
  invoice.attempted = true;
  const ok = behaviour === 'succeeds' || (behaviour === 'fails_later' && opts.checkout === true);
  if (ok) {
    markPaid(emu, invoice, now);
    return true;
  }
  invoice.last_finalization_error = null;
  emu.store.changed();
  afterInvoicePaymentFailed(emu, invoice, now);
  return false;
}

export function markPaid(emu: Emu, invoice: Obj, now: number): void {
  Object.assign(invoice, {
    status: 'paid',
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    next_payment_attempt: null,
    attempted: true,
  });
  invoice.status_transitions.paid_at = now;
  emu.store.changed();
  emu.emit('invoice.paid', invoice);
  emu.emit('invoice.payment_succeeded', invoice);
  afterInvoicePaid(emu, invoice);
}

export function voidInvoice(emu: Emu, invoice: Obj): void {
  invoice.status = 'void';
  invoice.amount_remaining = 0;
  invoice.status_transitions.voided_at = emu.nowFor(invoice.customer);
  emu.scheduler.cancel('retry_payment', invoice.id);
  emu.store.changed();
  emu.emit('invoice.voided', invoice);
}
