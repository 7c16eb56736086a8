/**
 * change-plan as a handler on a scripted Stripe: what is refused before Stripe is touched, which items an update
 * re-prices, and that a repeat of a change Stripe already made (our row lagging behind its webhook) sends nothing.
 */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/change-plan.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { fakeSubscription, priceIds, seedCatalog, stripeError, testContext, type FakeSubscriptionInput } from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

function scriptedStripe(sub: FakeSubscriptionInput, failWith?: Error) {
  const updates: unknown[] = [];
  const stripe = {
    subscriptions: {
      async retrieve() { if (failWith) throw failWith; return fakeSubscription(structuredClone(sub)); },
      async update(_id: string, params: { items: Array<{ id: string; price: string }> }) {
        updates.push(params);
        for (const change of params.items) {
          const index = fakeSubscription(sub).items.data.findIndex((i) => i.id === change.id);
          sub.items[index]!.price = change.price;
        }
        return fakeSubscription(sub);
      },
    },
  };
  return { stripe, updates };
}

async function starterCustomer(sql: Sql, status = 'active') {
  const plans = await seedCatalog(sql);
  const { userId, orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  await sql.query(
    `insert into subscriptions (org_id, plan_id, stripe_subscription_id, stripe_customer_id, status, billing_period, current_period_start, current_period_end)
     values ($1, $2, 'sub_1', 'cus_1', $3, 'monthly', $4, $5)`, [orgId, plans.starter, status, NOV.start, NOV.end]);
  const sub: FakeSubscriptionInput = {
    id: 'sub_1', customer: 'cus_1', metadata: { org_id: orgId },
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
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toEqual({ status: 200, body: { plan_id: plans.growth, billing_period: 'monthly', changed: true } });
    expect(fake.updates).toEqual([{
      items: [{ id: 'si_sub_1_0', price: priceIds('growth').monthly }, { id: 'si_sub_1_1', price: priceIds('growth').metered }],
      proration_behavior: 'create_prorations',
      metadata: { plan_id: plans.growth },
    }]);
  });

  it('a repeat before the webhook updated our row finds Stripe on the new plan already: 200, nothing sent', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    const fake = scriptedStripe(sub);
    await change(fake.stripe, db.sql, userId, { plan_id: plans.growth });
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({ status: 200, body: { changed: false } });
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.starter })).toMatchObject({ status: 200, body: { changed: true } }); // and straight back
    expect(fake.updates).toHaveLength(2);
  });

  it.each([
    ['the plan it is on', 'starter', 'active', 409, 'already_on_plan'],
    ['a subscription whose payment failed', 'growth', 'past_due', 409, 'subscription_not_active'],
  ] as const)('refuses %s, sending nothing', async (_name, to, status, code, error) => {
    const { plans, userId, sub } = await starterCustomer(db.sql, status);
    const fake = scriptedStripe(sub);
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans[to] })).toMatchObject({ status: code, body: { error } });
    expect(fake.updates).toEqual([]);
  });

  it('refuses an organisation without a subscription, an unknown plan and a malformed body before asking Stripe', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql);
    const stripe = { subscriptions: { retrieve: async () => { throw new Error('Stripe must not be asked'); } } };
    expect(await change(stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({ status: 409, body: { error: 'no_active_subscription' } });
    expect(await change(stripe, db.sql, userId, { plan_id: '00000000-0000-4000-8000-000000000009' })).toMatchObject({ status: 404, body: { error: 'plan_not_found', field: 'plan_id' } });
    expect(await change(stripe, db.sql, userId, { plan: 'growth' })).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'plan_id' } });
  });

  it('Stripe down is 503 stripe_unavailable with nothing changed', async () => {
    const { plans, userId, sub } = await starterCustomer(db.sql);
    const fake = scriptedStripe(sub, stripeError('StripeConnectionError', undefined, 'socket hang up'));
    expect(await change(fake.stripe, db.sql, userId, { plan_id: plans.growth })).toMatchObject({ status: 503, body: { error: 'stripe_unavailable' } });
    expect(fake.updates).toEqual([]);
  });
});
