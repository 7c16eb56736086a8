/**
 * "Our endpoint was down for a week": Stripe gave up retrying, so a customer who paid has no subscription row.
 * `replayStripeEvents` lists Stripe's events and applies the ones we never processed, through the webhook's own
 * pipeline, until the rows match Stripe again.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/usecases/context.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { recordStripeEvent } from '../../src/repositories/stripe-events.ts';
import { formatReplayRows, replayStripeEvents, type ReplayRow } from '../../src/usecases/replay-stripe-events.ts';
import type { TestStack } from '../support/stack.ts';
import { planId, settled, signUpWithOrganisation, startWorld, subscribe, type Customer } from '../scenarios/world.ts';

// The customers' test clocks start on 2026-11-01, and their events carry that time (as in Stripe test mode).
const SINCE = new Date('2026-10-31T00:00:00Z');

async function subscriptionOf(stack: TestStack, c: Customer) {
  return stack.sql.query<{ stripe_subscription_id: string; status: string; billing_period: string; plan_id: string }>(
    'select stripe_subscription_id, status, billing_period, plan_id from subscriptions where org_id = $1',
    [c.orgId],
  );
}

async function cyclesOf(stack: TestStack, c: Customer) {
  return stack.sql.query<{ included_minutes: number; status: string }>(
    'select included_minutes, status from billing_cycles where org_id = $1',
    [c.orgId],
  );
}

async function unprocessedEventCount(stack: TestStack): Promise<number> {
  const [row] = await stack.sql.query<{ n: number }>(
    'select count(*)::int as n from stripe_events where processed_at is null',
  );
  return row!.n;
}

const statusOf = (rows: ReplayRow[], id: string) => rows.find((r) => r.id === id)?.status;

/** Replays, then lets the webhooks our own handlers caused (e.g. a metered item added at Stripe) be delivered. */
async function replay(stack: TestStack, opts: { since: Date; dryRun?: boolean }, ctx: AppContext = stack.ctx) {
  const result = await replayStripeEvents(ctx, opts);
  await settled(stack);
  return result;
}

describe('replaying the Stripe events our webhook missed', () => {
  let stack: TestStack;
  let endpoint: Stripe.WebhookEndpoint;
  let customer: Customer;
  let subscriptionId: string;
  let missed: Stripe.Event[];
  let halfDone: Stripe.Event;

  beforeAll(async () => {
    stack = await startWorld();
    [endpoint] = (await stack.stripe.webhookEndpoints.list()).data as [Stripe.WebhookEndpoint];
    customer = await signUpWithOrganisation(stack, 'Endpoint Was Down');

    // Our endpoint is down while the customer pays: Stripe delivers nothing we process.
    missed = await whileEndpointIsDown(async () => {
      ({ subscriptionId } = await subscribe(stack, customer, 'Growth', 'monthly'));
    });
    // One delivery did arrive but failed half way: recorded, never marked processed.
    halfDone = missed.find((e) => e.type === 'checkout.session.completed')!;
    await recordStripeEvent(stack.sql, halfDone);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** Runs `work` with our webhook endpoint disabled; returns the events Stripe created meanwhile (none delivered). */
  async function whileEndpointIsDown(work: () => Promise<void>): Promise<Stripe.Event[]> {
    const everything = () =>
      stack.stripe.events
        .list({ created: { gte: SINCE.getTime() / 1000 }, limit: 100 })
        .autoPagingToArray({ limit: 10_000 });
    const before = new Set((await everything()).map((e) => e.id));
    await stack.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    try {
      await work();
    } finally {
      await stack.stripe.webhookEndpoints.update(endpoint.id, { disabled: false });
    }
    await settled(stack);
    return (await everything()).filter((e) => !before.has(e.id));
  }

  it('starts out stale: the customer paid, yet we have no subscription', async () => {
    expect(missed.map((e) => e.type)).toEqual(
      expect.arrayContaining(['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']),
    );
    expect(await subscriptionOf(stack, customer)).toEqual([]);
    expect(await unprocessedEventCount(stack)).toBe(1);
  });

  it('a dry run lists what it would apply and changes nothing', async () => {
    const { rows } = await replay(stack, { since: SINCE, dryRun: true });
    for (const event of missed) expect(statusOf(rows, event.id), event.type).toMatch(/^(would-apply|ignored)$/);
    expect(statusOf(rows, halfDone.id)).toBe('would-apply');
    expect(rows.map((r) => r.status)).not.toContain('applied');
    expect(await subscriptionOf(stack, customer)).toEqual([]);
    expect(await unprocessedEventCount(stack)).toBe(1);
    const [recorded] = await stack.sql.query<{ n: number }>(
      'select count(*)::int as n from stripe_events where id = any($1)',
      [missed.map((e) => e.id)],
    );
    expect(recorded!.n).toBe(1);
  });

  it('the replay applies the missed events and converges the rows to what Stripe holds', async () => {
    const { rows } = await replay(stack, { since: SINCE });
    expect(rows.filter((r) => r.status === 'failed')).toEqual([]);
    expect(statusOf(rows, halfDone.id)).toBe('applied');
    for (const event of missed) expect(statusOf(rows, event.id), event.type).toMatch(/^(applied|ignored)$/);

    expect(await subscriptionOf(stack, customer)).toEqual([
      {
        stripe_subscription_id: subscriptionId,
        status: 'active',
        billing_period: 'monthly',
        plan_id: await planId(stack, 'Growth'),
      },
    ]);
    expect(await cyclesOf(stack, customer)).toEqual([expect.objectContaining({ included_minutes: 1000 })]);
    expect(await unprocessedEventCount(stack)).toBe(0);
    expect(formatReplayRows(rows)).toMatch(/checkout\.session\.completed\s+evt_\w+\s+applied/);
  });

  it('a second replay finds everything already processed', async () => {
    const { rows } = await replay(stack, { since: SINCE });
    expect(rows.length).toBeGreaterThan(missed.length - 1);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['already-processed']));
  });

  it('one failing event does not stop the others, and a later replay picks it up', async () => {
    const other = await signUpWithOrganisation(stack, 'Flaky Database');
    const events = await whileEndpointIsDown(async () => {
      await subscribe(stack, other, 'Starter', 'yearly');
    });
    const poisoned = events.find((e) => e.type === 'invoice.paid')!;

    // The database refuses to record that one event (say, a dropped connection).
    const flakySql: Sql = {
      dialect: stack.sql.dialect,
      query: (text, params) =>
        params?.[0] === poisoned.id && text.includes('insert into stripe_events')
          ? Promise.reject(new Error('connection terminated'))
          : stack.sql.query(text, params),
      exec: (text) => stack.sql.exec(text),
      transaction: (work) => stack.sql.transaction(work),
      close: async () => {},
    };
    const flakyCtx: AppContext = { ...stack.ctx, sql: flakySql };
    const first = await replay(stack, { since: SINCE }, flakyCtx);
    expect(first.rows.find((r) => r.id === poisoned.id)).toMatchObject({
      status: 'failed',
      error: 'connection terminated',
    });
    for (const event of events.filter((e) => e.id !== poisoned.id))
      expect(statusOf(first.rows, event.id), event.type).toMatch(/^(applied|ignored)$/);
    expect(await subscriptionOf(stack, other)).toEqual([
      expect.objectContaining({ status: 'active', billing_period: 'yearly' }),
    ]);

    const second = await replay(stack, { since: SINCE });
    expect(statusOf(second.rows, poisoned.id)).toBe('applied');
    expect(second.rows.filter((r) => r.id !== poisoned.id).map((r) => r.status)).not.toContain('applied');
  });
});
