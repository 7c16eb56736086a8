/**
 * A plan change mid-period on a scripted Stripe: the subscription row takes the new plan, the current cycle is split
 * at the change (before: old terms, billed by the old metered price; after: new terms, counted from zero), calls
 * already counted after the change move across, an invoiced cycle never changes, and any redelivery or order of events
 * ends in the same rows.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import {
  event,
  fakeSubscription,
  priceIds,
  seedCatalog,
  testContext,
  type FakeSubscriptionInput,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase, describePostgresOnly } from '../support/database.ts';

const OCT = { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' };
const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };
const CHANGE = '2026-11-16T00:00:00Z';
const SECOND_CHANGE = '2026-11-20T00:00:00Z';
const CHANGE_ISO = '2026-11-16T00:00:00.000Z';
const SECOND_CHANGE_ISO = '2026-11-20T00:00:00.000Z';
const NOV_END_ISO = '2026-12-01T00:00:00.000Z';
const unix = (iso: string) => Date.parse(iso) / 1000;
type Code = 'starter' | 'growth' | 'enterprise';

async function setup(sql: Sql) {
  const plans = await seedCatalog(sql);
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  const current: { sub: FakeSubscriptionInput | undefined } = { sub: undefined };
  const stripe = {
    subscriptions: {
      async retrieve() {
        return fakeSubscription(structuredClone(current.sub!));
      },
    },
    customers: {
      async retrieve(id: string) {
        return { id, object: 'customer', metadata: {} };
      },
    },
  };
  const ctx = testContext(sql, stripe);
  /** Stripe's state: this plan's monthly flat and metered prices, in place on the same two items. */
  const onPlan = (code: Code, period = NOV) => {
    current.sub = {
      id: 'sub_1',
      customer: 'cus_1',
      metadata: { org_id: orgId },
      items: [
        { price: priceIds(code).monthly, interval: 'month', ...period },
        { price: priceIds(code).metered, interval: 'month', metered: true, ...period },
      ],
    };
  };
  /** `customer.subscription.updated` as Stripe sends it; with `meteredFrom`, the metered item's price was that one. */
  const updated = (id: string, at: string, meteredFrom?: Code): Stripe.Event => {
    const sub = fakeSubscription(structuredClone(current.sub!));
    const e = event(id, 'customer.subscription.updated', sub, unix(at));
    if (meteredFrom) {
      const items = sub.items.data.map((item) =>
        item.price.recurring?.usage_type === 'metered'
          ? { ...item, price: { ...item.price, id: priceIds(meteredFrom).metered } }
          : item,
      );
      (e.data as { previous_attributes?: unknown }).previous_attributes = { items: { object: 'list', data: items } };
    }
    return e;
  };
  const call = (callId: string, minutes: number, endedAt: string) =>
    recordUsage(sql, {
      orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(endedAt),
    });
  return { plans, orgId, ctx, onPlan, updated, call };
}

const cycles = (sql: Sql) =>
  sql.query<{
    period_start: Date;
    period_end: Date;
    status: string;
    minutes_used: number;
    included_minutes: number;
    overage_minutes: number;
    overage_cost_cents: number;
  }>(
    `select period_start, period_end, status, minutes_used, included_minutes, overage_minutes, overage_cost_cents
       from billing_cycles order by period_start`,
  );

const rows = async (sql: Sql) => ({
  subscription: await sql.query('select plan_id, billing_period, status from subscriptions'),
  cycles: await cycles(sql),
  calls: await sql.query('select call_id, billing_cycle_id from usage_records order by call_id'),
});

/** October closed (600 minutes), November on Starter with 800 minutes, then 50 more counted just after the change. */
async function starterCustomerThenGrowth(sql: Sql) {
  const s = await setup(sql);
  s.onPlan('starter', OCT);
  await applyStripeEvent(
    s.ctx,
    event('evt_created', 'customer.subscription.created', { id: 'sub_1' }, unix(OCT.start)),
  );
  await s.call('oct-1', 600, '2026-10-20T10:00:00Z');
  s.onPlan('starter', NOV);
  await applyStripeEvent(s.ctx, s.updated('evt_renewal', NOV.start));
  await s.call('nov-1', 800, '2026-11-10T10:00:00Z');
  await s.call('nov-2', 50, '2026-11-16T00:05:00Z'); // after the change, before its webhook: counted on Starter for now
  s.onPlan('growth', NOV);
  return s;
}

describeEachDatabase('a plan change mid-period', (db) => {
  it("Starter → Growth: plan_id moves, November splits at the change with each part's terms, October stays as it was", async () => {
    const { ctx, plans, updated, call } = await starterCustomerThenGrowth(db.sql);
    const before = await cycles(db.sql);
    expect(before[1]).toMatchObject({
      minutes_used: 850,
      included_minutes: 500,
      overage_minutes: 350,
      overage_cost_cents: 17_500,
    });

    expect(await applyStripeEvent(ctx, updated('evt_change', CHANGE, 'starter'))).toBe('applied');

    const after = await rows(db.sql);
    expect(after.subscription).toEqual([{ plan_id: plans.growth, billing_period: 'monthly', status: 'active' }]);
    expect(after.cycles).toEqual([
      before[0],
      {
        period_start: new Date(NOV.start),
        period_end: new Date(CHANGE),
        status: 'closed',
        minutes_used: 800,
        included_minutes: 500,
        overage_minutes: 300,
        overage_cost_cents: 15_000,
      },
      {
        period_start: new Date(CHANGE),
        period_end: new Date(NOV.end),
        status: 'active',
        minutes_used: 50,
        included_minutes: 1_000,
        overage_minutes: 0,
        overage_cost_cents: 0,
      },
    ]);
    expect(after.cycles[0]).toMatchObject({
      status: 'closed',
      minutes_used: 600,
      included_minutes: 500,
      overage_cost_cents: 5_000,
    });

    const next = await call('nov-3', 1_000, '2026-11-20T10:00:00Z'); // after the split: the Growth cycle, from 50
    expect(next.cycle).toMatchObject({
      period_start: '2026-11-16T00:00:00.000Z',
      minutes_used: 1_050,
      overage_minutes: 50,
      overage_cost_cents: 2_500,
    });
  });

  it('redelivery, a re-sent copy, and older events re-read later change nothing', async () => {
    const { ctx, updated } = await starterCustomerThenGrowth(db.sql);
    await applyStripeEvent(ctx, updated('evt_change', CHANGE, 'starter'));
    const converged = await rows(db.sql);

    expect(await applyStripeEvent(ctx, updated('evt_change', CHANGE, 'starter'))).toBe('duplicate');
    await applyStripeEvent(ctx, updated('evt_change_copy', CHANGE, 'starter'));
    await applyStripeEvent(ctx, updated('evt_older', '2026-11-05T00:00:00Z'));
    await applyStripeEvent(ctx, updated('evt_older_items', '2026-11-03T00:00:00Z', 'growth')); // no metered price replaced
    expect(await rows(db.sql)).toEqual(converged);
  });

  it("the change's own event arriving after a later event that already saw Growth still splits at the change", async () => {
    const first = await starterCustomerThenGrowth(db.sql);
    await applyStripeEvent(first.ctx, first.updated('evt_later', '2026-11-17T00:00:00Z'));
    await applyStripeEvent(first.ctx, first.updated('evt_other_items', '2026-11-03T00:00:00Z', 'growth')); // no metered swap
    expect((await cycles(db.sql))[1]).toMatchObject({ period_end: new Date(NOV.end), included_minutes: 500 }); // moment unknown: untouched
    await applyStripeEvent(first.ctx, first.updated('evt_change', CHANGE, 'starter'));
    expect(
      (await cycles(db.sql)).map((c) => [c.period_start.toISOString(), c.status, c.minutes_used, c.included_minutes]),
    ).toEqual([
      ['2026-10-01T00:00:00.000Z', 'closed', 600, 500],
      ['2026-11-01T00:00:00.000Z', 'closed', 800, 500],
      ['2026-11-16T00:00:00.000Z', 'active', 50, 1_000],
    ]);
  });

  describe('two changes in one period: Starter → Growth on the 16th, Growth → Enterprise on the 20th', () => {
    /** Each event carries the subscription as of its own moment; Stripe is on Enterprise when they are handled. */
    async function twoChanges(sql: Sql) {
      const s = await starterCustomerThenGrowth(sql);
      const toGrowth = s.updated('evt_to_growth', CHANGE, 'starter');
      s.onPlan('enterprise', NOV);
      const toEnterprise = s.updated('evt_to_enterprise', SECOND_CHANGE, 'growth');
      await s.call('nov-3', 100, '2026-11-21T10:00:00Z'); // counted on Starter's cycle until the splits
      return { ...s, toGrowth, toEnterprise };
    }
    const shape = async (sql: Sql) =>
      (await cycles(sql)).map((c) => [
        c.period_start.toISOString(),
        c.period_end.toISOString(),
        c.status,
        c.minutes_used,
        c.included_minutes,
      ]);

    it("the first change handled after Stripe moved on still splits with ITS plan's terms (Growth, not Enterprise)", async () => {
      const { ctx, toGrowth, toEnterprise } = await twoChanges(db.sql);
      await applyStripeEvent(ctx, toGrowth);
      expect((await shape(db.sql)).slice(1)).toEqual([
        ['2026-11-01T00:00:00.000Z', CHANGE_ISO, 'closed', 800, 500],
        [CHANGE_ISO, NOV_END_ISO, 'active', 150, 1_000],
      ]);
      await applyStripeEvent(ctx, toEnterprise);
      expect((await shape(db.sql)).slice(1)).toEqual([
        ['2026-11-01T00:00:00.000Z', CHANGE_ISO, 'closed', 800, 500],
        [CHANGE_ISO, SECOND_CHANGE_ISO, 'closed', 50, 1_000],
        [SECOND_CHANGE_ISO, NOV_END_ISO, 'active', 100, 2_000],
      ]);
    });

    it('handled in reverse order: the earlier change splits the part the later one closed, ending as in order', async () => {
      const { ctx, toGrowth, toEnterprise } = await twoChanges(db.sql);
      await applyStripeEvent(ctx, toEnterprise);
      expect((await shape(db.sql)).slice(1)).toEqual([
        ['2026-11-01T00:00:00.000Z', SECOND_CHANGE_ISO, 'closed', 850, 500],
        [SECOND_CHANGE_ISO, NOV_END_ISO, 'active', 100, 2_000],
      ]);
      await applyStripeEvent(ctx, toGrowth);
      // Stripe bills the 16th–20th through Growth's price: so do we.
      expect((await shape(db.sql)).slice(1)).toEqual([
        ['2026-11-01T00:00:00.000Z', CHANGE_ISO, 'closed', 800, 500],
        [CHANGE_ISO, SECOND_CHANGE_ISO, 'closed', 50, 1_000],
        [SECOND_CHANGE_ISO, NOV_END_ISO, 'active', 100, 2_000],
      ]);
      await applyStripeEvent(ctx, toGrowth);
      await applyStripeEvent(ctx, toEnterprise);
      expect((await shape(db.sql)).slice(1)).toHaveLength(3); // redelivered in any order: no further split
    });
  });

  it('Starter → Growth → Starter handled in reverse order: each part carries the plan of its time, tiers restarting at each change', async () => {
    const s = await starterCustomerThenGrowth(db.sql);
    const toGrowth = s.updated('evt_to_growth', CHANGE, 'starter');
    s.onPlan('starter', NOV);
    const backToStarter = s.updated('evt_back', SECOND_CHANGE, 'growth');
    await applyStripeEvent(s.ctx, backToStarter);
    await applyStripeEvent(s.ctx, toGrowth);
    expect(
      (await cycles(db.sql))
        .slice(1)
        .map((c) => [
          c.period_start.toISOString(),
          c.period_end.toISOString(),
          c.status,
          c.minutes_used,
          c.included_minutes,
        ]),
    ).toEqual([
      ['2026-11-01T00:00:00.000Z', CHANGE_ISO, 'closed', 800, 500],
      [CHANGE_ISO, SECOND_CHANGE_ISO, 'closed', 50, 1_000],
      [SECOND_CHANGE_ISO, NOV_END_ISO, 'active', 0, 500],
    ]);
  });

  describe("a change handled after the renewal, its event carrying November's period as Stripe's would", () => {
    async function renewedBeforeTheChangeArrives(sql: Sql) {
      const s = await starterCustomerThenGrowth(sql);
      const lateChange = s.updated('evt_change_late', CHANGE, 'starter');
      s.onPlan('growth', { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' });
      await applyStripeEvent(s.ctx, s.updated('evt_renewal_dec', '2026-12-01T00:00:00Z'));
      return { ...s, lateChange };
    }

    it("splits November's closed cycle while no invoice is recorded on it: the December invoice bills it split", async () => {
      const { ctx, lateChange } = await renewedBeforeTheChangeArrives(db.sql);
      await applyStripeEvent(ctx, lateChange);
      expect(
        (await cycles(db.sql)).map((c) => [c.period_start.toISOString(), c.status, c.minutes_used, c.included_minutes]),
      ).toEqual([
        ['2026-10-01T00:00:00.000Z', 'closed', 600, 500],
        ['2026-11-01T00:00:00.000Z', 'closed', 800, 500],
        [CHANGE_ISO, 'closed', 50, 1_000],
        [NOV_END_ISO, 'active', 0, 1_000],
      ]);
    });

    it('leaves November alone once its invoice is recorded', async () => {
      const { ctx, lateChange } = await renewedBeforeTheChangeArrives(db.sql);
      await db.sql.query(`update billing_cycles set stripe_invoice_id = 'in_nov' where period_start = $1`, [
        new Date(NOV.start),
      ]);
      const invoiced = await cycles(db.sql);
      await applyStripeEvent(ctx, lateChange);
      expect(await cycles(db.sql)).toEqual(invoiced);
    });
  });

  it('an event carrying a later period than its change (a re-read copy) touches no closed cycle', async () => {
    const s = await starterCustomerThenGrowth(db.sql);
    s.onPlan('growth', { start: '2026-12-01T00:00:00Z', end: '2027-01-01T00:00:00Z' });
    await applyStripeEvent(s.ctx, s.updated('evt_renewal_dec', '2026-12-01T00:00:00Z'));
    const renewed = await cycles(db.sql);
    await applyStripeEvent(s.ctx, s.updated('evt_change_late', CHANGE, 'starter'));
    expect(await cycles(db.sql)).toEqual(renewed);
  });
});

describePostgresOnly('a plan change racing record_usage', (db) => {
  it("calls counted while the cycle splits land in the cycle of their end, and each cycle's minutes are its calls' sum", async () => {
    const { ctx, updated, call } = await starterCustomerThenGrowth(db.sql);
    const racing = Array.from({ length: 40 }, (_, i) =>
      call(`race-${i}`, 10, i % 2 ? '2026-11-12T00:00:00Z' : '2026-11-20T00:00:00Z'),
    );
    await Promise.all([...racing, applyStripeEvent(ctx, updated('evt_change', CHANGE, 'starter'))]);

    const check = await db.sql.query<{
      period_start: Date;
      minutes_used: number;
      linked: number;
      overage_cost_cents: number;
      expected_cost: number;
    }>(
      `select c.period_start, c.minutes_used, coalesce(sum(u.billed_minutes), 0)::int as linked, c.overage_cost_cents,
              (greatest(0, c.minutes_used - c.included_minutes) * c.overage_rate_cents)::int as expected_cost
         from billing_cycles c left join usage_records u on u.billing_cycle_id = c.id
        group by c.id order by c.period_start`,
    );
    for (const c of check) {
      expect(Number(c.minutes_used)).toBe(c.linked);
      expect(Number(c.overage_cost_cents)).toBe(c.expected_cost);
    }
    expect(check.map((c) => [c.period_start.toISOString(), Number(c.minutes_used)])).toEqual([
      ['2026-10-01T00:00:00.000Z', 600],
      ['2026-11-01T00:00:00.000Z', 800 + 20 * 10],
      ['2026-11-16T00:00:00.000Z', 50 + 20 * 10],
    ]);
  });
});
