/**
 * Subscription and item objects. Since 2025-03-31.basil the periods live on the items
 * (`items.data[].current_period_start/end`), which lets a yearly flat item and a monthly metered item keep
 * their own periods on one `billing_mode: flexible` subscription (docs.stripe.com/billing/subscriptions/mixed-interval).
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import { listOf } from '../list.ts';
import { render } from '../render.ts';
import type { Obj } from '../store.ts';
import { nextBoundary, type Interval } from './periods.ts';

export function newSubscription(
  emu: Emu,
  customer: Obj,
  opts: {
    metadata: Record<string, string>;
    defaultPaymentMethod: string | null;
    currency: string;
    description?: string | null;
  },
): Obj {
  const now = emu.nowFor(customer.id);
  const sub: Partial<Stripe.Subscription> & Obj = {
    id: newId('sub'),
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: now,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'flexible', flexible: { proration_discounts: 'included' }, updated_at: now } as never,
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: opts.currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: opts.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: opts.description ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: opts.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: 'incomplete',
    test_clock: customer.test_clock ?? null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: null,
  } as Obj;
  sub.billing_schedules = [];
  return emu.store.put(sub);
}

/** An item's first period: from `start` to the next boundary of the subscription's billing cycle anchor. */
export function newItem(
  emu: Emu,
  sub: Obj,
  price: Obj,
  quantity: number | undefined,
  start: number,
  metadata: Record<string, string> = {},
): Obj {
  const rec = price.recurring as { interval: Interval; interval_count: number };
  const item: Partial<Stripe.SubscriptionItem> & Obj = {
    id: newId('si', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created: start,
    current_period_start: start,
    current_period_end: nextBoundary(sub.billing_cycle_anchor, rec.interval, rec.interval_count, start),
    current_trial: null,
    discounts: [],
    metadata,
    price: price.id,
    subscription: sub.id,
    tax_rates: [],
  } as Obj;
  if (price.recurring.usage_type !== 'metered') item.quantity = quantity ?? 1;
  return emu.store.put(item);
}

export function itemsOf(emu: Emu, subId: string): Obj[] {
  return emu.store
    .all('subscription_item')
    .filter((i) => i.subscription === subId && !i._deleted)
    .reverse();
}

export function priceOf(emu: Emu, item: Obj): Obj {
  return emu.store.get('price', item.price) as Obj;
}

export function isMetered(price: Obj): boolean {
  return price.recurring?.usage_type === 'metered';
}

/** Changes fields and emits `customer.subscription.updated` with `previous_attributes` of what changed. */
export function updateSubscriptionFields(emu: Emu, sub: Obj, changes: Obj, extraPrevious: Obj = {}): void {
  const previous: Obj = { ...extraPrevious };
  for (const [k, v] of Object.entries(changes)) {
    if (JSON.stringify(sub[k]) !== JSON.stringify(v)) previous[k] = structuredClone(sub[k]);
    sub[k] = v;
  }
  emu.store.changed();
  if (Object.keys(previous).length) emu.emit('customer.subscription.updated', sub, previous);
}

/**
 * The `items` part of previous_attributes, taken before a change to items or their periods: the whole list, each
 * item as the API renders it (docs.stripe.com/api/events/object#event_object-data-previous_attributes).
 */
export function itemsSnapshot(emu: Emu, sub: Obj): Obj {
  return {
    items: listOf(
      itemsOf(emu, sub.id).map((i) => render(i, emu.store)),
      `/v1/subscription_items?subscription=${sub.id}`,
    ),
  };
}

/**
 * Where a metered item's unbilled usage starts: its period start, or later when its price was replaced
 * mid-period (the usage before that was billed through the old price: billing/subscription-update.ts).
 */
export function usageWindowStart(item: Obj): number {
  return Math.max(item.current_period_start as number, (item._usage_from as number | undefined) ?? 0);
}
