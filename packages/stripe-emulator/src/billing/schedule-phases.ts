/**
 * Subscription schedule phases over time (docs.stripe.com/billing/subscriptions/subscription-schedules): "When a
 * phase starts, Stripe updates the subscription based on the next phase's attributes"; after the last phase the
 * schedule ends by its `end_behavior` (`release`: the subscription runs on as it is, the schedule `released`;
 * `cancel`: the subscription is canceled — not modelled here).
 *
 * The emulator enters a phase at a renewal of the subscription (renew() in subscription-billing.ts calls
 * `enterDuePhase` between billing the ended period's usage and the next period's flat fees), which is where a
 * downgrade "at the period end" puts the boundary: the ended period's metered usage goes through the OLD price,
 * the new period's fees and usage through the new one, and nothing is prorated. A phase boundary that falls
 * between renewals is applied at the next renewal (a documented gap).
 */
import type { Emu } from '../emu.ts';
import type { Obj } from '../store.ts';
import { addIntervals, type Interval } from './periods.ts';
import { isMetered, itemsOf, priceOf } from './subscription-model.ts';

export interface PhaseItem {
  price: string;
  quantity?: number;
}

/** Stripe's phase object around the items, dates and metadata the emulator models. */
export function phaseObject(
  _emu: Emu,
  sub: Obj,
  p: { items: PhaseItem[]; start: number; end: number; metadata?: Record<string, string>; proration: string },
): Obj {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: sub.currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: p.end,
    invoice_settings: null,
    items: p.items.map((i) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: i.price,
      price: i.price,
      ...(i.quantity !== undefined ? { quantity: i.quantity } : {}),
      tax_rates: [],
    })),
    metadata: p.metadata ?? {},
    on_behalf_of: null,
    proration_behavior: p.proration,
    start_date: p.start,
    transfer_data: null,
    trial_end: null,
  };
}

/** A phase's end from `iterations` (of its first recurring price's interval) when no `end_date` is given. */
export function phaseEnd(emu: Emu, start: number, items: PhaseItem[], iterations: number): number {
  const price = emu.store.get('price', items[0]!.price) as Obj;
  const rec = price.recurring as { interval: Interval; interval_count: number };
  return addIntervals(start, rec.interval, rec.interval_count, iterations);
}

/**
 * The current phase's items must map one to one onto the subscription's items by usage type and interval (a
 * re-price in place), which is what a plan change between same-shaped plans needs. Returns the mapping, or a
 * reason it cannot be applied.
 */
export function mapPhaseItems(emu: Emu, sub: Obj, items: PhaseItem[]): Map<Obj, PhaseItem> | string {
  const shape = (price: Obj) =>
    `${isMetered(price) ? 'metered' : 'licensed'}/${price.recurring.interval}/${price.recurring.interval_count}`;
  const current = itemsOf(emu, sub.id);
  const free = [...items];
  const mapping = new Map<Obj, PhaseItem>();
  for (const item of current) {
    const want = shape(priceOf(emu, item));
    const index = free.findIndex((p) => shape(emu.store.get('price', p.price) as Obj) === want);
    if (index < 0) return `the emulator re-prices items in place only: no phase item for ${item.id} (${want})`;
    mapping.set(item, free.splice(index, 1)[0]!);
  }
  if (free.length) return 'the emulator re-prices items in place only: a phase adds an item';
  return mapping;
}

/** The schedule's phase holding `at`, by index. */
const phaseIndexAt = (schedule: Obj, at: number) =>
  (schedule.phases as Obj[]).findIndex((p) => p.start_date <= at && at < p.end_date);

/**
 * At a renewal: if the subscription's schedule has reached the end of its current phase, enter the next one (re-price
 * the items, merge the phase's metadata) or, after the last, end the schedule. Returns previous_attributes of the
 * subscription fields this changed (the items are in the caller's snapshot).
 */
export function enterDuePhase(emu: Emu, sub: Obj, at: number): Obj {
  const schedule = sub.schedule ? emu.store.get('subscription_schedule', sub.schedule) : undefined;
  if (schedule?.status !== 'active' || !schedule.current_phase || schedule.current_phase.end_date > at) return {};
  const previous: Obj = {};
  const next = (schedule.phases as Obj[])[phaseIndexAt(schedule, at)];
  if (next) {
    const mapping = mapPhaseItems(
      emu,
      sub,
      next.items.map((i: Obj) => ({ price: i.price, quantity: i.quantity })),
    );
    if (typeof mapping === 'string') {
      emu.logger.warn('subscription schedule phase not applied', { schedule: schedule.id, reason: mapping });
    } else {
      for (const [item, target] of mapping) {
        item.price = target.price;
        if (target.quantity !== undefined && !isMetered(priceOf(emu, item))) item.quantity = target.quantity;
      }
    }
    if (next.metadata && Object.keys(next.metadata).length) {
      previous.metadata = structuredClone(sub.metadata);
      sub.metadata = { ...sub.metadata, ...next.metadata };
    }
    const was = schedule.current_phase;
    schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
    emu.store.changed();
    emu.emit('subscription_schedule.updated', schedule, { current_phase: was });
    return previous;
  }
  // `end_behavior: cancel` is refused on update (resources/subscription-schedules.ts), so the last phase releases.
  previous.schedule = schedule.id;
  endSchedule(emu, schedule, sub, 'released');
  return previous;
}

/** Detaches the schedule from its subscription: released (the subscription runs on), completed or canceled. */
export function endSchedule(
  emu: Emu,
  schedule: Obj,
  sub: Obj | undefined,
  status: 'released' | 'completed' | 'canceled',
): void {
  const now = emu.nowFor(schedule.customer);
  Object.assign(schedule, { status, current_phase: null });
  if (status === 'released')
    Object.assign(schedule, { released_at: now, released_subscription: schedule.subscription, subscription: null });
  if (status === 'completed') schedule.completed_at = now;
  if (status === 'canceled') schedule.canceled_at = now;
  if (sub) sub.schedule = null;
  emu.store.changed();
  emu.emit(`subscription_schedule.${status}`, schedule);
}
