/**
 * The webhook pipeline on a scripted Stripe: events are hints, the re-read subscription is the truth, so any
 * order and any number of deliveries end in the same rows; a slow, older read never overwrites a newer one.
 */
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import {
  event,
  fakeSubscription,
  priceIds,
  seedCatalog,
  stripeError,
  testContext,
  type FakeSubscriptionInput,
  type TestContext,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };
const DEC = { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' };

/** The part of Stripe the handler talks to, holding one current state per subscription. */
function fakeStripe() {
  const subs = new Map<string, FakeSubscriptionInput>();
  const updates: Array<{ id: string; params: unknown; key: string | undefined }> = [];
  const cancels: Array<{ id: string; params: unknown; key: string | undefined }> = [];
  let beforeRetrieve: (id: string) => Promise<void> = async () => {};
  const stripe = {
    subscriptions: {
      async retrieve(id: string) {
        const snapshot = structuredClone(subs.get(id));
        await beforeRetrieve(id);
        if (!snapshot)
          throw Object.assign(new Error(`No such subscription: '${id}'`), {
            type: 'StripeInvalidRequestError',
            statusCode: 404,
          });
        return fakeSubscription(snapshot);
      },
      async cancel(id: string, params: unknown, opts?: { idempotencyKey?: string }) {
        cancels.push({ id, params, key: opts?.idempotencyKey });
        const s = subs.get(id)!;
        s.status = 'canceled';
        s.canceledAt = '2026-11-10T12:00:00Z';
        return fakeSubscription(s);
      },
      async update(id: string, params: { items: Array<{ price: string }> }, opts?: { idempotencyKey?: string }) {
        updates.push({ id, params, key: opts?.idempotencyKey });
        const s = subs.get(id)!;
        if (!updates.slice(0, -1).some((u) => u.key === opts?.idempotencyKey)) {
          for (const item of params.items)
            s.items.push({ price: item.price, interval: 'month', metered: true, start: NOV.start, end: NOV.end });
        }
        return fakeSubscription(s);
      },
    },
    customers: {
      async retrieve(id: string) {
        return { id, object: 'customer', metadata: {} };
      },
    },
    // No paid invoice here: refunds are tested in duplicate-subscription-refund.test.ts.
    invoices: {
      async list() {
        return { object: 'list', has_more: false, data: [] };
      },
    },
  };
  return {
    stripe,
    subs,
    updates,
    cancels,
    setBeforeRetrieve: (f: typeof beforeRetrieve) => {
      beforeRetrieve = f;
    },
  };
}

async function setup(sql: Sql) {
  const plans = await seedCatalog(sql);
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  const fake = fakeStripe();
  const ctx = testContext(sql, fake.stripe);
  const monthly = (over: Partial<FakeSubscriptionInput> = {}, period = NOV): FakeSubscriptionInput => ({
    id: 'sub_1',
    customer: 'cus_1',
    metadata: { org_id: orgId, plan_id: plans.starter, billing_period: 'monthly' },
    items: [
      { price: priceIds('starter').monthly, interval: 'month', ...period },
      { price: priceIds('starter').metered, interval: 'month', metered: true, ...period },
    ],
    ...over,
  });
  return { plans, orgId, fake, ctx, monthly };
}

const snapshot = async (sql: Sql) => ({
  subscriptions:
    await sql.query(`select org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period,
      current_period_start, current_period_end, cancel_at_period_end, cancel_at, canceled_at from subscriptions order by stripe_subscription_id`),
  cycles:
    await sql.query(`select org_id, period_start, period_end, status, included_minutes, overage_rate_cents, minutes_used,
      currency, stripe_invoice_id from billing_cycles order by period_start`),
});

const sessionCompleted = (id: string) =>
  event(id, 'checkout.session.completed', {
    id: 'cs_1',
    object: 'checkout.session',
    mode: 'subscription',
    subscription: 'sub_1',
  });
const subEvent = (id: string, type: string) => event(id, type, { id: 'sub_1', object: 'subscription' });
const invoiceEvent = (
  id: string,
  type: string,
  invoiceId: string,
  reason: string,
  line: { start: string; end: string },
) =>
  event(id, type, {
    id: invoiceId,
    object: 'invoice',
    billing_reason: reason,
    parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_1' } },
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${invoiceId}`,
          object: 'line_item',
          period: { start: Date.parse(line.start) / 1000, end: Date.parse(line.end) / 1000 },
          pricing: {
            type: 'price_details',
            price_details: { price: priceIds('starter').metered, product: 'prod_starter' },
          },
          parent: {
            type: 'subscription_item_details',
            subscription_item_details: { subscription: 'sub_1', subscription_item: 'si_sub_1_1' },
          },
        },
      ],
    },
  });

/** The "not ours" log lines, parsed. */
const notOursLines = (ctx: TestContext) =>
  ctx.logger.lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => String(l.msg).startsWith('Stripe event not ours'));

describeEachDatabase('apply Stripe events', (db) => {
  it("checkout.session.completed stores the subscription and opens the current usage cycle with the plan's terms", async () => {
    const { fake, ctx, monthly, orgId, plans } = await setup(db.sql);
    fake.subs.set('sub_1', monthly());
    expect(await applyStripeEvent(ctx, sessionCompleted('evt_1'))).toBe('applied');
    const rows = await snapshot(db.sql);
    expect(rows.subscriptions).toEqual([
      expect.objectContaining({
        org_id: orgId,
        plan_id: plans.starter,
        status: 'active',
        billing_period: 'monthly',
        stripe_customer_id: 'cus_1',
        current_period_start: new Date(NOV.start),
        current_period_end: new Date(NOV.end),
        cancel_at_period_end: false,
      }),
    ]);
    expect(rows.cycles).toEqual([
      expect.objectContaining({
        period_start: new Date(NOV.start),
        period_end: new Date(NOV.end),
        status: 'active',
        included_minutes: 500,
        overage_rate_cents: 50,
      }),
    ]);
  });

  it('the same event delivered again is acknowledged without work', async () => {
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', monthly());
    await applyStripeEvent(ctx, sessionCompleted('evt_1'));
    expect(await applyStripeEvent(ctx, sessionCompleted('evt_1'))).toBe('duplicate');
  });

  it('events in any order, each twice, end in the same rows as in order', async () => {
    const runs: unknown[] = [];
    const final = (m: (o?: Partial<FakeSubscriptionInput>, p?: typeof NOV) => FakeSubscriptionInput) => m({}, DEC);
    const events = [
      sessionCompleted('evt_a'),
      subEvent('evt_b', 'customer.subscription.created'),
      invoiceEvent('evt_c', 'invoice.paid', 'in_first', 'subscription_create', NOV),
      subEvent('evt_d', 'customer.subscription.updated'),
      invoiceEvent('evt_e', 'invoice.paid', 'in_renewal', 'subscription_cycle', NOV),
    ];
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', final(monthly)); // the truth at the time the events are handled
    for (const order of [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0, 4, 0, 2],
      [2, 4, 0, 0, 3, 1, 1, 3],
    ]) {
      await db.sql.exec('truncate billing_cycles, subscriptions, stripe_events cascade');
      for (const [n, i] of order.entries()) {
        const e = structuredClone(events[i]!);
        if (n >= events.length) e.id = `${e.id}_redelivered_${n}`; // a redelivery after the event row was lost
        await applyStripeEvent(ctx, e);
      }
      runs.push(await snapshot(db.sql));
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    const first = runs[0] as Awaited<ReturnType<typeof snapshot>>;
    expect(first.cycles).toEqual([
      expect.objectContaining({ period_start: new Date(NOV.start), status: 'closed', stripe_invoice_id: 'in_renewal' }),
      expect.objectContaining({ period_start: new Date(DEC.start), status: 'active', stripe_invoice_id: null }),
    ]);
  });

  it('a handler that read Stripe earlier but finishes later does not overwrite the newer state', async () => {
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', monthly());
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => {
      releaseSlow = r;
    });
    let first = true;
    fake.setBeforeRetrieve(async () => {
      if (first) {
        first = false;
        await slowGate;
      } // the first reader has its snapshot but stalls
    });
    const slow = applyStripeEvent(ctx, subEvent('evt_old', 'customer.subscription.updated'));
    await new Promise((r) => setTimeout(r, 20));
    ctx.clock.advance(1_000);
    fake.subs.set('sub_1', monthly({ status: 'past_due' }));
    await applyStripeEvent(ctx, subEvent('evt_new', 'customer.subscription.updated'));
    releaseSlow();
    await slow;
    const [row] = await db.sql.query<{ status: string }>('select status from subscriptions');
    expect(row!.status).toBe('past_due');
  });

  it('renewal: the next period opens a new cycle and closes the old one', async () => {
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', monthly());
    await applyStripeEvent(ctx, subEvent('evt_1', 'customer.subscription.created'));
    fake.subs.set('sub_1', monthly({}, DEC));
    await applyStripeEvent(ctx, invoiceEvent('evt_2', 'invoice.paid', 'in_nov', 'subscription_cycle', NOV));
    const { cycles } = await snapshot(db.sql);
    expect(cycles.map((c) => [c.period_start, c.status, c.stripe_invoice_id])).toEqual([
      [new Date(NOV.start), 'closed', 'in_nov'],
      [new Date(DEC.start), 'active', null],
    ]);
  });

  it('cancellation at period end is mirrored; deletion closes the cycles', async () => {
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', monthly({ cancelAtPeriodEnd: true, cancelAt: NOV.end }));
    await applyStripeEvent(ctx, subEvent('evt_1', 'customer.subscription.updated'));
    expect((await snapshot(db.sql)).subscriptions[0]).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: new Date(NOV.end),
      status: 'active',
    });
    fake.subs.set('sub_1', monthly({ status: 'canceled', canceledAt: NOV.end }));
    await applyStripeEvent(ctx, subEvent('evt_2', 'customer.subscription.deleted'));
    const rows = await snapshot(db.sql);
    expect(rows.subscriptions[0]).toMatchObject({ status: 'canceled', canceled_at: new Date(NOV.end) });
    expect(rows.cycles.map((c) => c.status)).toEqual(['closed']);
  });

  it("yearly: adds the plan's monthly metered item once, idempotently, then opens the monthly cycle", async () => {
    const { fake, ctx, orgId, plans } = await setup(db.sql);
    fake.subs.set('sub_1', {
      id: 'sub_1',
      customer: 'cus_1',
      metadata: { org_id: orgId, plan_id: plans.growth, billing_period: 'yearly' },
      items: [{ price: priceIds('growth').yearly, interval: 'year', start: NOV.start, end: '2027-11-01T00:00:00Z' }],
    });
    await Promise.all([
      applyStripeEvent(ctx, sessionCompleted('evt_1')),
      applyStripeEvent(ctx, subEvent('evt_2', 'customer.subscription.created')),
    ]);
    await applyStripeEvent(ctx, subEvent('evt_3', 'customer.subscription.updated'));
    expect(new Set(fake.updates.map((u) => u.key))).toEqual(new Set(['add-metered-sub_1-price_growth_metered']));
    expect(fake.updates[0]!.params).toEqual({
      items: [{ price: priceIds('growth').metered }],
      proration_behavior: 'none',
    });
    expect(fake.subs.get('sub_1')!.items.filter((i) => i.metered)).toHaveLength(1);
    const rows = await snapshot(db.sql);
    expect(rows.subscriptions[0]).toMatchObject({
      billing_period: 'yearly',
      current_period_end: new Date('2027-11-01T00:00:00Z'),
    });
    expect(rows.cycles).toEqual([
      expect.objectContaining({
        period_start: new Date(NOV.start),
        period_end: new Date(NOV.end),
        included_minutes: 1000,
      }),
    ]);
  });

  it("resubscribing: the new subscription's event arriving before the old one's cancellation still converges", async () => {
    const { fake, ctx, monthly } = await setup(db.sql);
    fake.subs.set('sub_1', monthly());
    await applyStripeEvent(ctx, subEvent('evt_1', 'customer.subscription.created'));
    // At Stripe the first subscription is canceled and a second one started; only the second's event is here yet.
    fake.subs.set('sub_1', monthly({ status: 'canceled', canceledAt: '2026-11-05T00:00:00Z' }));
    fake.subs.set('sub_2', monthly({ id: 'sub_2' }));
    await applyStripeEvent(
      ctx,
      event('evt_2', 'customer.subscription.created', { id: 'sub_2', object: 'subscription' }),
    );
    const rows = await snapshot(db.sql);
    expect(rows.subscriptions.map((r) => [r.stripe_subscription_id, r.status])).toEqual([
      ['sub_1', 'canceled'],
      ['sub_2', 'active'],
    ]);
  });

  describe('two Checkout Sessions paid: two live subscriptions for one organisation', () => {
    const created = (id: string) => event(`evt_${id}`, 'customer.subscription.created', { id, object: 'subscription' });

    it('cancels the newer one at Stripe (no proration, once), tells the operator, and processes the event', async () => {
      const { fake, ctx, monthly } = await setup(db.sql);
      fake.subs.set('sub_1', monthly({ created: '2026-11-01T00:00:00Z', latestInvoice: 'in_first' }));
      fake.subs.set('sub_2', monthly({ id: 'sub_2', created: '2026-11-01T00:00:07Z', latestInvoice: 'in_second' }));
      await applyStripeEvent(ctx, created('sub_1'));

      expect(await applyStripeEvent(ctx, created('sub_2'))).toBe('applied');
      expect(
        await applyStripeEvent(
          ctx,
          event('evt_sub_2_again', 'customer.subscription.updated', { id: 'sub_2', object: 'subscription' }),
        ),
      ).toBe('applied');

      expect(fake.cancels).toEqual([{ id: 'sub_2', params: { prorate: false }, key: 'cancel-duplicate-sub_2' }]);
      const rows = await snapshot(db.sql);
      expect(rows.subscriptions.map((r) => [r.stripe_subscription_id, r.status])).toEqual([
        ['sub_1', 'active'],
        ['sub_2', 'canceled'],
      ]);
      const lines = ctx.logger.lines
        .map((l) => JSON.parse(l))
        .filter((l) => /duplicate subscription/.test(l.msg ?? l.message));
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          kept_subscription: 'sub_1',
          canceled_subscription: 'sub_2',
          refunds: [],
        }),
      ]);
      const processed = await db.sql.query('select id from stripe_events where processed_at is not null order by id');
      expect(processed).toEqual([{ id: 'evt_sub_1' }, { id: 'evt_sub_2' }, { id: 'evt_sub_2_again' }]);
    });

    it("the newer one's events handled first: the stored newer one is canceled and the older one takes its place", async () => {
      const { fake, ctx, monthly } = await setup(db.sql);
      fake.subs.set('sub_1', monthly({ created: '2026-11-01T00:00:00Z', latestInvoice: 'in_first' }));
      fake.subs.set('sub_2', monthly({ id: 'sub_2', created: '2026-11-01T00:00:07Z', latestInvoice: 'in_second' }));
      await applyStripeEvent(ctx, created('sub_2'));

      expect(await applyStripeEvent(ctx, created('sub_1'))).toBe('applied');

      expect(fake.cancels.map((c) => c.id)).toEqual(['sub_2']);
      const rows = await snapshot(db.sql);
      expect(rows.subscriptions.map((r) => [r.stripe_subscription_id, r.status])).toEqual([
        ['sub_1', 'active'],
        ['sub_2', 'canceled'],
      ]);
    });
  });

  it('maps a subscription without metadata through the organisation that holds its customer', async () => {
    const { fake, ctx, monthly, orgId } = await setup(db.sql);
    fake.subs.set('sub_1', monthly({ metadata: {} }));
    await applyStripeEvent(ctx, subEvent('evt_1', 'customer.subscription.created'));
    expect((await snapshot(db.sql)).subscriptions[0]).toMatchObject({ org_id: orgId });
  });

  it('acknowledges event types it does not handle, and subscriptions made outside the app (no metadata, no customer, no plan of ours)', async () => {
    const { fake, ctx } = await setup(db.sql);
    expect(await applyStripeEvent(ctx, event('evt_x', 'customer.created', { id: 'cus_9' }))).toBe('ignored');
    fake.subs.set('sub_1', {
      id: 'sub_1',
      customer: 'cus_unknown',
      items: [{ price: 'price_elsewhere', interval: 'month', ...NOV }],
    });
    expect(await applyStripeEvent(ctx, subEvent('evt_y', 'customer.subscription.created'))).toBe('ignored');
    expect((await snapshot(db.sql)).subscriptions).toEqual([]);
    const processed = await db.sql.query('select id from stripe_events where processed_at is not null order by id');
    expect(processed).toEqual([{ id: 'evt_x' }, { id: 'evt_y' }]);
    expect(notOursLines(ctx)).toEqual([
      expect.objectContaining({
        event_id: 'evt_y',
        event_type: 'customer.subscription.created',
        subscription: 'sub_1',
      }),
    ]);
  });

  describe('events about a subscription Stripe does not know (the re-read answers 404 resource_missing)', () => {
    const missing = (id: string) =>
      stripeError('StripeInvalidRequestError', 404, `No such subscription: '${id}'`, {
        code: 'resource_missing',
        param: 'id',
      });

    it.each([
      ['customer.subscription.updated', subEvent('evt_gone', 'customer.subscription.updated')],
      ['invoice.paid', invoiceEvent('evt_gone', 'invoice.paid', 'in_unknown', 'subscription_cycle', NOV)],
      ['checkout.session.completed', sessionCompleted('evt_gone')],
    ])(
      '%s is acknowledged as not ours, marked processed, logged with its id and type, and changes nothing',
      async (type, evt) => {
        const { fake, ctx } = await setup(db.sql);
        fake.setBeforeRetrieve(async (id) => {
          throw missing(id);
        });
        expect(await applyStripeEvent(ctx, evt)).toBe('ignored');
        expect(await snapshot(db.sql)).toEqual({ subscriptions: [], cycles: [] });
        expect(await db.sql.query('select id from stripe_events where processed_at is not null')).toEqual([
          { id: 'evt_gone' },
        ]);
        expect(notOursLines(ctx)).toEqual([
          expect.objectContaining({ event_id: 'evt_gone', event_type: type, subscription: 'sub_1' }),
        ]);
        // Delivered again (Stripe, or `stripe-events replay`): nothing to retry.
        expect(await applyStripeEvent(ctx, evt)).toBe('duplicate');
      },
    );

    it('Stripe answering 500 is not "not ours": it propagates (the route answers 5xx, Stripe retries) and the event stays unprocessed', async () => {
      const { fake, ctx } = await setup(db.sql);
      fake.setBeforeRetrieve(async () => {
        throw stripeError('StripeAPIError', 500, 'An unknown error occurred');
      });
      await expect(applyStripeEvent(ctx, subEvent('evt_2', 'customer.subscription.updated'))).rejects.toThrow(
        'An unknown error occurred',
      );
      const [row] = await db.sql.query<{ processed_at: Date | null }>(
        'select processed_at from stripe_events where id = $1',
        ['evt_2'],
      );
      expect(row!.processed_at).toBeNull();
      expect(notOursLines(ctx)).toEqual([]);
    });
  });

  it('a Stripe failure while re-reading propagates (the route answers 5xx) and leaves the event unprocessed', async () => {
    const { fake, ctx } = await setup(db.sql);
    fake.setBeforeRetrieve(async () => {
      throw Object.assign(new Error('socket hang up'), { type: 'StripeConnectionError' });
    });
    await expect(applyStripeEvent(ctx, subEvent('evt_1', 'customer.subscription.updated'))).rejects.toThrow(
      'socket hang up',
    );
    const [row] = await db.sql.query<{ processed_at: Date | null }>(
      'select processed_at from stripe_events where id = $1',
      ['evt_1'],
    );
    expect(row!.processed_at).toBeNull();
  });
});
