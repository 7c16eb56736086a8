/**
 * Failed renewal payments: the subscription goes `past_due` and the invoice is retried on the (compressed)
 * Smart Retries schedule, measured on the customer's clock; after the last failed retry the subscription is
 * canceled (Stripe's default) or marked `unpaid` (docs.stripe.com/billing/revenue-recovery/smart-retries,
 * docs.stripe.com/billing/subscriptions/overview#settings). Paying the invoice later makes it `active` again.
 */
import type { Emu } from '../emu.ts';
import type { Obj } from '../store.ts';
import { cancelSubscription, scheduleRenewal } from './subscription-billing.ts';
import { updateSubscriptionFields } from './subscription-model.ts';

function subscriptionOf(emu: Emu, invoice: Obj): Obj | undefined {
  const id = invoice.parent?.subscription_details?.subscription as string | undefined;
  return id ? emu.store.get('subscription', id) : undefined;
}

export function afterInvoicePaid(emu: Emu, invoice: Obj): void {
  emu.scheduler.cancel('retry_payment', invoice.id);
  const sub = subscriptionOf(emu, invoice);
  if (sub?._creating) return;
  if (sub && sub.status === 'incomplete' && sub.latest_invoice === invoice.id) {
    updateSubscriptionFields(emu, sub, { status: 'active' });
    emu.scheduler.cancel('expire_incomplete', sub.id);
    scheduleRenewal(emu, sub);
    return;
  }
  if (sub && ['past_due', 'unpaid'].includes(sub.status) && sub.latest_invoice === invoice.id) {
    updateSubscriptionFields(emu, sub, { status: 'active' });
  }
}

export function afterInvoicePaymentFailed(emu: Emu, invoice: Obj, now: number): void {
  const sub = subscriptionOf(emu, invoice);
  // The first invoice at signup is not retried: the subscription stays `incomplete` (expires after 23 h).
  const retries = invoice.billing_reason !== 'subscription_create';
  const delay = retries ? emu.options.dunningScheduleMs[invoice.attempt_count - 1] : undefined;
  invoice.next_payment_attempt = delay === undefined ? null : Math.floor(now + delay / 1000);
  emu.store.changed();
  emu.emit('invoice.payment_failed', invoice);
  if (!sub || !retries) return;
  if (sub.status === 'active') updateSubscriptionFields(emu, sub, { status: 'past_due' });
  if (delay !== undefined) {
    emu.scheduler.schedule('retry_payment', invoice.id, now + delay / 1000, invoice.test_clock ?? null);
    return;
  }
  if (sub.status === 'canceled') return;
  if (emu.options.dunningFinalAction === 'mark_unpaid') updateSubscriptionFields(emu, sub, { status: 'unpaid' });
  else cancelSubscription(emu, sub, { invoiceNow: false, reason: 'payment_failed' });
}
