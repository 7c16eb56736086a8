/**
 * A yearly plan's monthly metered item follows the flat item the customer bought. When an operator replaces only
 * the yearly flat price (Starter yearly → Growth yearly), the handler re-prices the old plan's metered item to the
 * new plan's metered price under a key of its own, scoped to the event being applied (a key reused with other
 * params is a 400 idempotency_error for 24 h; reused with the same params, a stale replay) — and a subscription
 * mixing two plans' prices belongs to the plan of its FLAT price.
 */
import { expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import { findPlanByPriceIds } from '../../src/repositories/plans.ts';
import {
  event,
  fakeSubscription,
  priceIds,
  seedCatalog,
  stripeError,
  testContext,
  type FakeSubscriptionInput,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };
const YEAR_END = '2027-11-01T00:00:00Z';
const unix = (iso: string) => Date.parse(iso) / 1000;

type ItemChange = { id?: string; price: string };

/** Stripe's subscription update with its idempotency rule: a key replays its first answer, or refuses other params. */
function fakeStripe() {
  const subs = new Map<string, FakeSubscriptionInput>();
  const seen = new Map<string, string>();
  const updates: Array<{ params: unknown; key: string | undefined }> = [];
  const stripe = {
    subscriptions: {
      async retrieve(id: string) {
        return fakeSubscription(structuredClone(subs.get(id)!));
      },
      async update(id: string, params: { items: ItemChange[] }, opts?: { idempotencyKey?: string }) {
        updates.push({ params, key: opts?.idempotencyKey });
        const key = opts?.idempotencyKey;
        if (key && seen.has(key)) {
          if (seen.get(key) !== JSON.stringify(params)) {
            throw stripeError(
              'StripeIdempotencyError',
              400,
              'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            );
          }
          return fakeSubscription(subs.get(id)!); // replayed: nothing changes
        }
        if (key) seen.set(key, JSON.stringify(params));
        const s = subs.get(id)!;
        for (const change of params.items) {
          const index = change.id ? fakeSubscription(s).items.data.findIndex((i) => i.id === change.id) : -1;
          if (index >= 0) s.items[index]!.price = change.price;
          else s.items.push({ price: change.price, interval: 'month', metered: true, start: NOV.start, end: NOV.end });
        }
        return fakeSubscription(s);
      },
    },
    customers: {
      async retrieve(id: string) {
        return { id, object: 'customer', metadata: {} };
      },
    },
  };
  return { stripe, subs, updates };
}

async function yearlyStarterCustomer(sql: Sql) {
  const plans = await seedCatalog(sql);
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  const fake = fakeStripe();
  const ctx = testContext(sql, fake.stripe);
  fake.subs.set('sub_1', {
    id: 'sub_1',
    customer: 'cus_1',
    metadata: { org_id: orgId, plan_id: plans.starter, billing_period: 'yearly' },
    items: [{ price: priceIds('starter').yearly, interval: 'year', start: NOV.start, end: YEAR_END }],
  });
  await applyStripeEvent(
    ctx,
    event('evt_created', 'customer.subscription.created', { id: 'sub_1', object: 'subscription' }, unix(NOV.start)),
  );
  return { plans, fake, ctx, sub: () => fake.subs.get('sub_1')! };
}

const subscriptionRow = (sql: Sql) =>
  sql.query<{ plan_id: string; billing_period: string }>('select plan_id, billing_period from subscriptions');

describeEachDatabase('a yearly plan change and its metered item', (db) => {
  it("Starter yearly → Growth yearly: Starter's metered item is re-priced to Growth's under the applying event's own key", async () => {
    const { plans, fake, ctx, sub } = await yearlyStarterCustomer(db.sql);
    expect(fake.updates.map((u) => u.key)).toEqual(['add-metered-sub_1-price_starter_metered']);
    const meteredItemId = fakeSubscription(sub()).items.data[1]!.id;

    sub().items[0]!.price = priceIds('growth').yearly; // the operator replaces the flat price only
    const flatSwap = (id: string) =>
      event(id, 'customer.subscription.updated', { id: 'sub_1', object: 'subscription' }, unix('2026-11-16T00:00:00Z'));
    await Promise.all([applyStripeEvent(ctx, flatSwap('evt_flat')), applyStripeEvent(ctx, flatSwap('evt_flat_copy'))]);
    await applyStripeEvent(ctx, flatSwap('evt_flat_later'));

    // Each event that saw the mismatch asks for the same target under a key of its own; the last saw none.
    const replacements = fake.updates.slice(1);
    const key = (evt: string) =>
      `replace-metered-sub_1-${meteredItemId}-price_starter_metered-price_growth_metered-${evt}`;
    expect(replacements.length).toBeGreaterThanOrEqual(1);
    for (const r of replacements) {
      expect([key('evt_flat'), key('evt_flat_copy')]).toContain(r.key);
      expect(r.params).toEqual({
        items: [{ id: meteredItemId, price: priceIds('growth').metered }],
        proration_behavior: 'create_prorations',
      });
    }
    const items = fakeSubscription(sub()).items.data;
    expect(items.map((i) => [i.id, i.price.id])).toEqual([
      ['si_sub_1_0', priceIds('growth').yearly],
      [meteredItemId, priceIds('growth').metered], // the old plan's metered item is gone: one metered item, Growth's
    ]);
    expect(await subscriptionRow(db.sql)).toEqual([{ plan_id: plans.growth, billing_period: 'yearly' }]);
  });

  it('flipped back and forth within a day (Starter → Growth → Starter → Growth), the metered item follows every flip', async () => {
    const { fake, ctx, sub } = await yearlyStarterCustomer(db.sql);
    const meteredPrice = () => fakeSubscription(sub()).items.data[1]!.price.id;
    const flips = ['growth', 'starter', 'growth'] as const;
    for (const [n, plan] of flips.entries()) {
      sub().items[0]!.price = priceIds(plan).yearly;
      await applyStripeEvent(
        ctx,
        event(
          `evt_flip_${n}`,
          'customer.subscription.updated',
          { id: 'sub_1', object: 'subscription' },
          unix(NOV.start) + 3600 * (n + 1),
        ),
      );
      expect(meteredPrice()).toBe(priceIds(plan).metered); // a reused key would replay the first flip's answer
    }
    expect(new Set(fake.updates.map((u) => u.key)).size).toBe(fake.updates.length);
  });

  it("the re-pricing's own event splits the month at its moment with Growth's terms", async () => {
    const { fake, ctx, sub } = await yearlyStarterCustomer(db.sql);
    sub().items[0]!.price = priceIds('growth').yearly;
    await applyStripeEvent(
      ctx,
      event(
        'evt_flat',
        'customer.subscription.updated',
        { id: 'sub_1', object: 'subscription' },
        unix('2026-11-16T00:00:00Z'),
      ),
    );
    expect(fake.updates).toHaveLength(2);

    const after = fakeSubscription(sub());
    const before = structuredClone(after.items.data);
    before[1]!.price.id = priceIds('starter').metered;
    const repriced = event('evt_repriced', 'customer.subscription.updated', after, unix('2026-11-16T00:00:05Z'));
    (repriced.data as { previous_attributes?: unknown }).previous_attributes = {
      items: { object: 'list', data: before },
    };
    await applyStripeEvent(ctx, repriced);

    const cycles = await db.sql.query<{
      period_start: Date;
      period_end: Date;
      status: string;
      included_minutes: number;
    }>('select period_start, period_end, status, included_minutes from billing_cycles order by period_start');
    expect(cycles).toEqual([
      {
        period_start: new Date(NOV.start),
        period_end: new Date('2026-11-16T00:00:05Z'),
        status: 'closed',
        included_minutes: 500,
      },
      {
        period_start: new Date('2026-11-16T00:00:05Z'),
        period_end: new Date(NOV.end),
        status: 'active',
        included_minutes: 1_000,
      },
    ]);
    expect(fake.updates).toHaveLength(2); // nothing more to fix
  });

  it("a subscription mixing two plans' prices maps to the plan of its flat price, in any item order", async () => {
    const plans = await seedCatalog(db.sql);
    for (const flat of [priceIds('growth').yearly, priceIds('growth').monthly]) {
      expect((await findPlanByPriceIds(db.sql, [priceIds('starter').metered, flat]))?.id).toBe(plans.growth);
      expect((await findPlanByPriceIds(db.sql, [flat, priceIds('starter').metered]))?.id).toBe(plans.growth);
    }
    expect((await findPlanByPriceIds(db.sql, [priceIds('enterprise').metered]))?.id).toBe(plans.enterprise);
  });
});
