/**
 * Keeps the failed invoice a past_due subscription waits on (repositories/payment-failures.ts), from which
 * entitlement counts its grace period on Stripe's clock: `invoice.payment_failed` records the invoice and the event's
 * `created` (Stripe's clock: a test clock's time in test mode — docs.stripe.com/billing/testing/test-clocks) while the
 * re-read subscription is past_due or unpaid; any event after which Stripe shows it otherwise clears it. Decided on
 * the re-read status, so redelivered and reordered events converge.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { clearPaymentFailure, recordPaymentFailure } from '../../repositories/payment-failures.ts';
import type { SyncedSubscription } from './sync-subscription.ts';

const WAITING_ON_PAYMENT = new Set(['past_due', 'unpaid']);

export async function trackPaymentFailure(
  ctx: AppContext,
  event: Stripe.Event,
  synced: SyncedSubscription,
): Promise<void> {
  const { subscription } = synced;
  if (!WAITING_ON_PAYMENT.has(subscription.status)) return clearPaymentFailure(ctx.sql, subscription.id);
  if (event.type !== 'invoice.payment_failed') return;
  const invoiceId = (event.data.object as Stripe.Invoice).id;
  if (invoiceId) await recordPaymentFailure(ctx.sql, subscription.id, invoiceId, new Date(event.created * 1000));
}
