/**
 * One handler per event type we act on (a table, not a switch). Each finds the subscription the event is about
 * and converges it; invoice events also name the cycle they bill. Event types absent here are acknowledged and
 * ignored. Sources for where the subscription id lives (API 2026-10-28): checkout.session → `subscription` (an id);
 * invoice → `parent.subscription_details.subscription` (docs/design.md#stripe-sdk-and-api-version).
 * A handler answers 'ignored' when the event is not ours: Stripe does not know its subscription (404), or the
 * subscription maps to none of our organisations or plans (made outside the app) — see not-ours.ts.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { meteredPriceChange } from './apply-plan-change.ts';
import { idOf } from './map-subscription.ts';
import { logNotOurs, SubscriptionUnknownToStripe } from './not-ours.ts';
import { trackPaymentFailure } from './payment-failure.ts';
import { recordInvoiceOnCycle } from './record-invoice.ts';
import { syncSubscription, type SyncedSubscription, type SyncOptions } from './sync-subscription.ts';

export type HandlerOutcome = 'applied' | 'ignored';
export type EventHandler = (ctx: AppContext, event: Stripe.Event) => Promise<HandlerOutcome>;

/** Converges the event's subscription; undefined (logged) when the event is not ours. */
async function converge(
  ctx: AppContext,
  event: Stripe.Event,
  subscriptionId: string,
  opts: SyncOptions,
): Promise<SyncedSubscription | undefined> {
  try {
    const synced = await syncSubscription(ctx, subscriptionId, opts);
    if (!synced) logNotOurs(ctx, event, subscriptionId, 'no organisation or plan of ours matches the subscription');
    else await trackPaymentFailure(ctx, event, synced);
    return synced;
  } catch (error) {
    if (!(error instanceof SubscriptionUnknownToStripe) || error.subscriptionId !== subscriptionId) throw error;
    logNotOurs(ctx, event, subscriptionId, 'Stripe does not know the subscription (resource_missing)');
    return undefined;
  }
}

const onSubscription: EventHandler = async (ctx, event) => {
  const id = (event.data.object as Stripe.Subscription).id;
  const synced = await converge(ctx, event, id, { eventId: event.id, meteredPriceChange: meteredPriceChange(event) });
  return synced ? 'applied' : 'ignored';
};

const onCheckoutCompleted: EventHandler = async (ctx, event) => {
  const session = event.data.object as Stripe.Checkout.Session;
  const subscriptionId = session.mode === 'subscription' ? idOf(session.subscription) : undefined;
  if (!subscriptionId) return 'ignored'; // a payment-mode session: nothing of ours to converge
  return (await converge(ctx, event, subscriptionId, { eventId: event.id })) ? 'applied' : 'ignored';
};

const onInvoice: EventHandler = async (ctx, event) => {
  const invoice = event.data.object as Stripe.Invoice;
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
  if (!subscriptionId) return 'ignored'; // a one-off invoice: nothing of ours to converge
  const synced = await converge(ctx, event, subscriptionId, { eventId: event.id });
  if (!synced) return 'ignored';
  await recordInvoiceOnCycle(ctx, invoice, synced);
  return 'applied';
};

export const EVENT_HANDLERS: Readonly<Record<string, EventHandler>> = {
  'checkout.session.completed': onCheckoutCompleted,
  'customer.subscription.created': onSubscription,
  'customer.subscription.updated': onSubscription,
  'customer.subscription.deleted': onSubscription,
  'invoice.paid': onInvoice,
  'invoice.payment_failed': onInvoice,
};
