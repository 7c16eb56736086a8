/**
 * What happens to a subscription over time: the first invoice (flat items in advance, metered items at 0,
 * one-time items once), renewals at each item's period end (metered usage in arrears through the tiers, flat
 * items in advance for the next period), scheduled and immediate cancellation with a final usage invoice.
 */
import type { Emu } from '../emu.ts';
import type { Obj } from '../store.ts';
import { addLine } from './lines.ts';
import { attemptPayment, finalizeInvoice, newInvoice, openDraft, recomputeTotals, voidInvoice } from './invoices.ts';
import { nextBoundary, type Interval } from './periods.ts';
import { enterDuePhase } from './schedule-phases.ts';
import {
  isMetered,
  itemsOf,
  itemsSnapshot,
  newItem,
  newSubscription,
  priceOf,
  updateSubscriptionFields,
  usageWindowStart,
} from './subscription-model.ts';

export interface PricedQuantity {
  price: Obj;
  quantity?: number;
  metadata?: Record<string, string>;
}

export interface StartSubscription {
  customer: Obj;
  recurring: PricedQuantity[];
  oneTime: PricedQuantity[];
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  /** Paid at Checkout: `pm_card_chargeCustomerFail` still succeeds there. */
  checkout?: boolean;
  /** `default_incomplete` leaves the first invoice open without charging. */
  chargeNow?: boolean;
  description?: string | null;
}

export function startSubscription(emu: Emu, spec: StartSubscription): { sub: Obj; invoice: Obj; paid: boolean } {
  const currency = spec.recurring[0]?.price.currency ?? 'eur';
  const sub = newSubscription(emu, spec.customer, {
    metadata: spec.metadata,
    defaultPaymentMethod: spec.defaultPaymentMethod,
    currency,
    description: spec.description,
  });
  const now = sub.created as number;
  const items = spec.recurring.map((r) => newItem(emu, sub, r.price, r.quantity, now, r.metadata));
  const invoice = newInvoice(emu, {
    customer: spec.customer,
    subscription: sub,
    billingReason: 'subscription_create',
    periodStart: now,
    periodEnd: now,
  });
  items.forEach((item, i) => {
    const price = spec.recurring[i]!.price;
    const period = { start: item.current_period_start, end: item.current_period_end };
    // Metered items appear on the first invoice at zero: their usage is billed in arrears.
    addLine(emu, invoice, {
      price,
      quantity: isMetered(price) ? 0 : item.quantity,
      period,
      subscription: sub.id,
      subscriptionItem: item.id,
    });
  });
  for (const o of spec.oneTime)
    addLine(emu, invoice, {
      price: o.price,
      quantity: o.quantity ?? 1,
      period: { start: now, end: now },
      subscription: sub.id,
    });
  sub.latest_invoice = invoice.id;
  // The first payment is attempted while the subscription is being created, so (as on Stripe) the
  // `customer.subscription.created` event already shows the outcome: `active`, or `incomplete`.
  sub._creating = true;
  openDraft(emu, invoice, true);
  finalizeInvoice(emu, invoice);
  const paid = spec.chargeNow === false ? false : attemptPayment(emu, invoice, { checkout: spec.checkout });
  delete sub._creating;
  if (paid) sub.status = 'active';
  emu.store.changed();
  emu.emit('customer.subscription.created', sub);
  if (paid) scheduleRenewal(emu, sub);
  // An unpaid first invoice leaves the subscription `incomplete` for 23 hours, then `incomplete_expired`
  // (docs.stripe.com/billing/subscriptions/overview#payment-window).
  else emu.scheduler.schedule('expire_incomplete', sub.id, now + 23 * 3600, sub.test_clock ?? null);
  return { sub, invoice, paid };
}

/** Next moment this subscription needs work: its earliest item period end, or its cancel_at. */
export function scheduleRenewal(emu: Emu, sub: Obj): void {
  emu.scheduler.cancel('renew', sub.id);
  emu.scheduler.cancel('cancel_at', sub.id);
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
  const ends = itemsOf(emu, sub.id).map((i) => i.current_period_end as number);
  if (ends.length) emu.scheduler.schedule('renew', sub.id, Math.min(...ends), sub.test_clock ?? null);
  if (sub.cancel_at !== null) emu.scheduler.schedule('cancel_at', sub.id, sub.cancel_at, sub.test_clock ?? null);
}

export function expireIncomplete(emu: Emu, subId: string): void {
  const sub = emu.store.get('subscription', subId);
  if (sub?.status !== 'incomplete') return;
  const invoice = sub.latest_invoice ? emu.store.get('invoice', sub.latest_invoice) : undefined;
  if (invoice?.status === 'open') voidInvoice(emu, invoice);
  updateSubscriptionFields(emu, sub, { status: 'incomplete_expired', ended_at: emu.nowFor(sub.customer) });
}

export function renew(emu: Emu, subId: string, at: number): void {
  const sub = emu.store.get('subscription', subId);
  if (!sub || sub.status === 'canceled' || sub.status === 'incomplete' || sub.status === 'incomplete_expired') return;
  if (sub.cancel_at !== null && sub.cancel_at <= at) {
    cancelSubscription(emu, sub, { invoiceNow: true, reason: 'cancellation_requested' });
    return;
  }
  const due = itemsOf(emu, sub.id).filter((i) => i.current_period_end <= at);
  if (due.length === 0) {
    scheduleRenewal(emu, sub);
    return;
  }
  const before = itemsSnapshot(emu, sub);
  const customer = emu.store.get('customer', sub.customer) as Obj;
  const invoice = newInvoice(emu, {
    customer,
    subscription: sub,
    billingReason: 'subscription_cycle',
    periodStart: Math.min(...due.map((i) => i.current_period_start)),
    periodEnd: at,
  });
  for (const item of due) {
    const price = priceOf(emu, item);
    const rec = price.recurring as { interval: Interval; interval_count: number };
    const oldEnd = item.current_period_end as number;
    if (isMetered(price)) {
      const from = usageWindowStart(item);
      addLine(emu, invoice, {
        price,
        quantity: 0,
        period: { start: from, end: oldEnd },
        subscription: sub.id,
        subscriptionItem: item.id,
        usage: { customer: sub.customer, from, to: oldEnd },
      });
    }
    delete item._usage_from;
    item.current_period_start = oldEnd;
    item.current_period_end = nextBoundary(sub.billing_cycle_anchor, rec.interval, rec.interval_count, oldEnd);
  }
  // A schedule's next phase starts here: the ended period was billed above on the old prices, the next on the new.
  const schedulePrevious = enterDuePhase(emu, sub, at);
  for (const item of due.filter((i) => !isMetered(priceOf(emu, i)))) {
    addLine(emu, invoice, {
      price: priceOf(emu, item),
      quantity: item.quantity,
      period: { start: item.current_period_start, end: item.current_period_end },
      subscription: sub.id,
      subscriptionItem: item.id,
    });
  }
  attachPendingItems(emu, sub, invoice);
  openDraft(emu, invoice, false);
  updateSubscriptionFields(emu, sub, { latest_invoice: invoice.id }, { ...before, ...schedulePrevious });
  scheduleRenewal(emu, sub);
}

/** Pending proration items wait for the subscription's next invoice. */
export function attachPendingItems(emu: Emu, sub: Obj, invoice: Obj): void {
  for (const ii of emu.store
    .all('invoiceitem')
    .filter((x) => x.subscription === sub.id && x.invoice === null)
    .reverse()) {
    const price = emu.store.get('price', ii.pricing.price_details.price) as Obj;
    addLine(emu, invoice, {
      price,
      quantity: ii.quantity,
      period: ii.period,
      subscription: sub.id,
      subscriptionItem: ii._subscription_item,
      proration: true,
      amountOverride: ii.amount,
      description: ii.description,
    });
    ii.invoice = invoice.id;
  }
  recomputeTotals(emu, invoice);
}

/**
 * Ends the subscription now. With `invoiceNow`, un-invoiced metered usage (and pending prorations) go on a
 * final invoice (docs.stripe.com/api/subscriptions/cancel#cancel_subscription-invoice_now).
 */
export function cancelSubscription(
  emu: Emu,
  sub: Obj,
  opts: { invoiceNow: boolean; reason: string; comment?: string | null; feedback?: string | null },
): void {
  if (sub.status === 'canceled') return;
  const now = emu.nowFor(sub.customer);
  emu.scheduler.cancel('renew', sub.id);
  emu.scheduler.cancel('cancel_at', sub.id);
  if (opts.invoiceNow) {
    const customer = emu.store.get('customer', sub.customer) as Obj;
    const metered = itemsOf(emu, sub.id).filter((i) => isMetered(priceOf(emu, i)) && i.current_period_start < now);
    const pending = emu.store.all('invoiceitem').some((x) => x.subscription === sub.id && x.invoice === null);
    if (metered.length || pending) {
      const invoice = newInvoice(emu, {
        customer,
        subscription: sub,
        billingReason: 'subscription_cycle',
        periodStart: Math.min(now, ...metered.map((i) => i.current_period_start)),
        periodEnd: now,
      });
      for (const item of metered) {
        const from = usageWindowStart(item);
        addLine(emu, invoice, {
          price: priceOf(emu, item),
          quantity: 0,
          period: { start: from, end: now },
          subscription: sub.id,
          subscriptionItem: item.id,
          usage: { customer: sub.customer, from, to: now + 1 },
        }); // usage up to and including this second
      }
      attachPendingItems(emu, sub, invoice);
      sub.latest_invoice = invoice.id;
      openDraft(emu, invoice, true);
      finalizeInvoice(emu, invoice);
      attemptPayment(emu, invoice);
    }
  }
  Object.assign(sub, {
    status: 'canceled',
    canceled_at: now,
    ended_at: now,
    cancellation_details: {
      comment: opts.comment ?? null,
      feedback: opts.feedback ?? null,
      feedback_option: null,
      reason: opts.reason,
    },
  });
  emu.store.changed();
  emu.emit('customer.subscription.deleted', sub);
}
