/**
 * The emulator's shared context: state, time, events. Every resource and billing step receives it.
 * Time is per customer: a customer on a test clock lives at the clock's `frozen_time`
 * (docs.stripe.com/billing/testing/test-clocks), everyone else on the wall clock.
 */
import Stripe from 'stripe';
import type { Logger } from './logger.ts';
import { newId } from './ids.ts';
import { render } from './render.ts';
import type { Obj, Store } from './store.ts';
import type { Scheduler } from './billing/scheduler.ts';
import type { WebhookDispatcher } from './webhooks/dispatch.ts';
import type { MeterEventLimits } from './limits.ts';

export interface ResolvedOptions {
  webhookSecret?: string;
  webhookRetryScheduleMs: number[];
  dunningScheduleMs: number[];
  dunningFinalAction: 'cancel' | 'mark_unpaid';
  /** Every answer waits this long, ±20 % (latency.ts); 0 = none. */
  latencyMs: number;
  /** How long a v2 meter event session token is valid (Stripe: 15 minutes). */
  meterEventSessionTtlMs: number;
  /** How long after a meter event stream request its events count in summaries and invoices; 0 = at once. */
  meterEventStreamVisibilityMs: number;
  /** How long a meter event identifier is remembered for dedupe (Stripe: at least 24 hours). */
  meterEventIdentifierTtlMs: number;
}

export class Emu {
  baseUrl = '';
  scheduler!: Scheduler;
  webhooks!: WebhookDispatcher;
  /** Stripe's meter-event limits (limits.ts). */
  limits!: MeterEventLimits;
  /** The API request being handled (handlers are synchronous), for `event.request`; null for background work. */
  currentRequest: { id: string; idempotency_key: string | null } | null = null;
  /** Work (clock advances, deliveries) still running, for `waitForIdle`. */
  private busy = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly store: Store,
    readonly options: ResolvedOptions,
    readonly logger: Logger,
  ) {}

  realNow(): number {
    return Math.floor(Date.now() / 1000);
  }

  clockTime(clockId: string | null | undefined): number {
    const clock = clockId ? this.store.get('test_helpers.test_clock', clockId) : undefined;
    return clock ? (clock.frozen_time as number) : this.realNow();
  }

  clockOf(customerId: string | null | undefined): string | null {
    const customer = customerId ? this.store.get('customer', customerId) : undefined;
    return (customer?.test_clock as string | null | undefined) ?? null;
  }

  /** Now, as the customer experiences it. */
  nowFor(customerId: string | null | undefined): number {
    return this.clockTime(this.clockOf(customerId));
  }

  /** Records an event (data.object rendered now, as Stripe snapshots it) and hands it to the webhooks. */
  emit(type: string, obj: Obj, previous?: Obj, customerId?: string | null): Stripe.Event {
    const customer = customerId ?? (obj.object === 'customer' ? obj.id : obj.customer) ?? null;
    const data: Obj = { object: render(obj, this.store) };
    if (previous && Object.keys(previous).length > 0) data.previous_attributes = previous;
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: obj.object === 'test_helpers.test_clock' ? obj.frozen_time : this.nowFor(customer),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: this.currentRequest ?? { id: null, idempotency_key: null },
      type,
    } as unknown as Stripe.Event;
    event.pending_webhooks = this.webhooks.endpointsFor(type).length;
    this.store.put(event as unknown as Obj);
    this.webhooks.dispatch(event);
    return event;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    return work.finally(() => {
      this.busy--;
      if (this.busy === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  waitForIdle(): Promise<void> {
    if (this.busy === 0)
      return new Promise((r) => setImmediate(() => (this.busy === 0 ? r() : this.idleWaiters.push(r))));
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
