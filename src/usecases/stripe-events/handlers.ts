/**
 * One handler per event type we act on (a table, not a switch). Each finds the subscription the event is about
 * and converges it; invoice events also name the cycle they bill. Event types absent here are acknowledged and
 * ignored. Sources for where the subscription id lives (API 2026-10-28): checkout.session → `subscription` (an id);
 * invoice → `parent.subscription_details.subscription` (DESIGN.md §2).
 */
import type Stripe from 'stripe';
import type { AppContext } from '../../http/route.ts';
import { meteredPriceChange } from './apply-plan-change.ts';
import { idOf } from './map-subscription.ts';
import { recordInvoiceOnCycle } from './record-invoice.ts';
import { syncSubscription } from './sync-subscription.ts';

export type EventHandler = (ctx: AppContext, event: Stripe.Event) => Promise<void>;

const onSubscription: EventHandler = async (ctx, event) => {
  await syncSubscription(ctx, (event.data.object as Stripe.Subscription).id, { eventId: event.id, meteredPriceChange: meteredPriceChange(event) });
};

const onCheckoutCompleted: EventHandler = async (ctx, event) => {
  const session = event.data.object as Stripe.Checkout.Session;
  const subscriptionId = session.mode === 'subscription' ? idOf(session.subscription) : undefined;
  if (subscriptionId) await syncSubscription(ctx, subscriptionId, { eventId: event.id });
};

const onInvoice: EventHandler = async (ctx, event) => {
  const invoice = event.data.object as Stripe.Invoice;
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
  if (!subscriptionId) return; // a one-off invoice: nothing of ours to converge
  const synced = await syncSubscription(ctx, subscriptionId, { eventId: event.id });
  if (synced) await recordInvoiceOnCycle(ctx, invoice, synced);
};

export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  'checkout.session.completed': onCheckoutCompleted,
  'customer.subscription.created': onSubscription,
  'customer.subscription.updated': onSubscription,
  'customer.subscription.deleted': onSubscription,
  'invoice.paid': onInvoice,
  'invoice.payment_failed': onInvoice,
};
