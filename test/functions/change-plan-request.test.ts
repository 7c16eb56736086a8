/**
 * change-plan as a handler on a scripted Stripe: what is refused before Stripe is touched, which items an update
 * re-prices, and that a repeat of a change Stripe already made (our row lagging behind its webhook) sends nothing.
 */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/change-plan.ts';
import type { Sql } from '../../src/ports/sql.ts';
import {
  fakeSubscription,
  priceIds,
  seedCatalog,
  stripeError,
  testContext,
  type FakeSubscriptionInput,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

const unix = (iso: string) => Date.parse(iso) / 1000;

function scriptedStripe(sub: FakeSubscriptionInput, failWith?: Error) {
  const updates: unknown[] = [];
  const scheduleCalls: unknown[] = [];
  // One schedule at most, as Stripe allows: made from the subscription, its current phase Stripe's current period.
  let schedule: {
    id: string;
    status: string;
    current_phase: { start_date: number; end_date: number } | null;
    phases: Array<Record<string, unknown>>;
  } | null = null;
  const withSchedule = () => ({
    ...fakeSubscription(structuredClone(sub)),
    schedule: schedule?.status === 'active' ? structuredClone(schedule) : null,
  });
  const stripe = {
    subscriptions: {
      async retrieve() {
        if (failWith) throw failWith;
        return withSchedule();
      },
      async update(_id: string, params: { items: Array<{ id: string; price: string }> }) {
        updates.push(params);
        for (const change of params.items) {
          const index = fakeSubscription(sub).items.data.findIndex((i) => i.id === change.id);
          sub.items[index]!.price = change.price;
        }
        return fakeSubscription(sub);
      },
    },
    subscriptionSchedules: {
      async create(params: unknown) {
        scheduleCalls.push(['create', params]);
        const current = { start_date: unix(NOV.start), end_date: unix(NOV.end) };
        schedule = {
          id: 'sub_sched_1',
          status: 'active',
          current_phase: current,
          phases: [
            { ...current, items: sub.items.map((i) => ({ price: i.price, ...(i.metered ? {} : { quantity: 1 }) })) },
          ],
        };
        return structuredClone(schedule);
      },
      async update(_id: string, params: { phases: Array<Record<string, unknown>> }) {
        scheduleCalls.push(['update', params]);
        schedule!.phases = params.phases.map((p, i) =>
          i === 0 ? p : { ...p, start_date: unix(NOV.end), end_date: unix('2027-01-01T00:00:00Z') },
        );
        return structuredClone(schedule);
      },
      async release(id: string) {
        scheduleCalls.push(['release', id]);
        schedule!.status = 'released';
        return structuredClone(schedule);
      },
      async retrieve() {
        return structuredClone(schedule);
      },
    },
  };
  return { stripe, updates, scheduleCalls };
}

async function starterCustomer(sql: Sql, status = 'active') {
  const plans = await seedCatalog(sql);
  const { userId, orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  await sql.query(
    `insert into subscriptions (org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period, current_period_start, current_period_end)
     values ($1, $2, 'sub_1', 'cus_1', $3, 'monthly', $4, $5)`,
    [orgId, plans.starter, status, NOV.start, NOV.end],
  );
  const sub: FakeSubscriptionInput = {
    id: 'sub_1',
    customer: 'cus_1',
    metadata: { org_id: orgId },
    items: [
      { price: priceIds('starter').monthly, interval: 'month', ...NOV },
      { price: priceIds('starter').metered, interval: 'month', metered: true, ...NOV },
    ],
  };
  return { plans, userId, orgId, sub };
}

const change = (stripe: unknown, sql: Sql, userId: string, json: unknown) =>
  handleRoute(route, testContext(sql, stripe), { caller: { kind: 'user', userId, email: undefined }, json });

describeEachDatabase('change-plan', (db) => {
  it('re-prices both items to the new plan in one prorated update, and names the plan in the metadata', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    const fake = scriptedStripe(sub);
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toEqual({
      status: 200,
      body: {
        plan_id: plans.growth,
        billing_period: 'monthly',
        changed: true,
        effective_at: null,
        pending_change: null,
      },
    });
    expect(fake.updates).toEqual([
      {
        items: [
          { id: 'si_sub_1_0', price: priceIds('growth').monthly },
          { id: 'si_sub_1_1', price: priceIds('growth').metered },
        ],
        proration_behavior: 'create_prorations',
        metadata: { plan_id: plans.growth },
      },
    ]);
  });

  it('a repeat before the webhook updated our row finds Stripe on the new plan already: 200, nothing sent', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    const fake = scriptedStripe(sub);
    await change(fake.stripe, db.sql, userId, { plan_id: plans.growth });
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({
      status: 200,
      body: { changed: false },
    });
    // Straight back is a downgrade: it waits for the period end, as the schedule's next phase.
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.starter })).toMatchObject({
      status: 200,
      body: { changed: true, effective_at: NOV.end.replace('Z', '.000Z') },
    });
    expect(fake.updates).toHaveLength(1);
  });

  it('a downgrade is a schedule phase from the period end, with the cheaper prices; asking for the current plan releases it', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    sub.items = [
      { price: priceIds('growth').monthly, interval: 'month', ...NOV },
      { price: priceIds('growth').metered, interval: 'month', metered: true, ...NOV },
    ];
    await db.sql.query('update subscriptions set plan_id = $1', [plans.growth]);
    const fake = scriptedStripe(sub);
    const down = await change(fake.stripe, db.sql, userId, { plan_id: plans.starter });
    expect(down).toEqual({
      status: 200,
      body: {
        plan_id: plans.starter,
        billing_period: 'monthly',
        changed: true,
        effective_at: '2026-12-01T00:00:00.000Z',
        pending_change: { plan: { id: plans.starter, name: 'Starter' }, effective_at: '2026-12-01T00:00:00.000Z' },
      },
    });
    expect(fake.updates).toEqual([]); // nothing changes now
    expect(fake.scheduleCalls).toEqual([
      ['create', { from_subscription: 'sub_1' }],
      [
        'update',
        {
          end_behavior: 'release',
          phases: [
            {
              items: [{ price: priceIds('growth').monthly, quantity: 1 }, { price: priceIds('growth').metered }],
              start_date: unix(NOV.start),
              end_date: unix(NOV.end),
            },
            {
              items: [{ price: priceIds('starter').monthly, quantity: 1 }, { price: priceIds('starter').metered }],
              duration: { interval: 'month', interval_count: 1 },
              metadata: { plan_id: plans.starter },
              proration_behavior: 'none',
            },
          ],
        },
      ],
    ]);
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.starter })).toMatchObject({
      status: 200,
      body: { changed: false },
    });
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toEqual({
      status: 200,
      body: {
        plan_id: plans.growth,
        billing_period: 'monthly',
        changed: true,
        effective_at: null,
        pending_change: null,
      },
    });
    expect(fake.scheduleCalls.at(-1)).toEqual(['release', 'sub_sched_1']);
    expect(fake.updates).toEqual([]);
  });

  it.each([
    ['the plan it is on', 'starter', 'active', 409, 'already_on_plan'],
    ['a subscription whose payment failed', 'growth', 'past_due', 409, 'subscription_not_active'],
  ] as const)('refuses %s, sending nothing', async (_name, to, status, code, error) => {
    const { plans, userId, sub } = await starterCustomer(db.sql, status);
    const fake = scriptedStripe(sub);
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans[to] })).toMatchObject({
      status: code,
      body: { error },
    });
    expect(fake.updates).toEqual([]);
  });

  it('refuses an organisation without a subscription, an unknown plan and a malformed body before asking Stripe', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql);
    const stripe = {
      subscriptions: {
        retrieve: async () => {
          throw new Error('Stripe must not be asked');
        },
      },
    };
    expect(await change(stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({
      status: 409,
      body: { error: 'no_active_subscription' },
    });
    expect(await change(stripe, db.sql, userId, { plan_id: '00000000-0000-4000-8000-000000000009' })).toMatchObject({
      status: 404,
      body: { error: 'plan_not_found', field: 'plan_id' },
    });
    expect(await change(stripe, db.sql, userId, { plan: 'growth' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', field: 'plan_id' },
    });
  });

  it('Stripe down is 503 stripe_unavailable with nothing changed', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    const fake = scriptedStripe(sub, stripeError('StripeConnectionError', undefined, 'socket hang up'));
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({
      status: 503,
      body: { error: 'stripe_unavailable' },
    });
    expect(fake.updates).toEqual([]);
  });
});
