/**
 * The meter-event outbox: every recorded call reaches Stripe once, with its call_id as the identifier, whatever
 * Stripe answers (timeouts, refusals, duplicates) and however many deliverers run.
 */
import { expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { claimPlan, deliverSoon, drainUsageOutbox, startUsageDeliverer } from '../../src/usecases/deliver-usage.ts';
import { retryDelayMs } from '../../src/usecases/usage/backoff.ts';
import { stripeError, testContext } from '../support/billing-fixtures.ts';
import {
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
  describePostgresOnly,
} from '../support/database.ts';

type Sent = {
  params: { identifier: string; timestamp?: number; payload: Record<string, string> };
  key: string | undefined;
};

/** A fake of `stripe.billing.meterEvents.create` that answers from a script and records what it was sent. */
function fakeMeter(script: (params: Sent['params'], n: number) => unknown = () => undefined) {
  const sent: Sent[] = [];
  let inFlight = new Map<string, number>();
  let maxPerCustomer = 0;
  let maxInFlight = 0;
  const stripe = {
    billing: {
      meterEvents: {
        async create(params: Sent['params'], opts?: { idempotencyKey?: string }) {
          const customer = params.payload.stripe_customer_id!;
          inFlight.set(customer, (inFlight.get(customer) ?? 0) + 1);
          maxPerCustomer = Math.max(maxPerCustomer, inFlight.get(customer)!);
          maxInFlight = Math.max(
            maxInFlight,
            [...inFlight.values()].reduce((a, b) => a + b, 0),
          );
          await new Promise((r) => setTimeout(r, 1));
          inFlight.set(customer, inFlight.get(customer)! - 1);
          sent.push({ params, key: opts?.idempotencyKey });
          const answer = script(params, sent.length);
          if (answer instanceof Error) throw answer;
          return { object: 'billing.meter_event', ...params };
        },
      },
    },
  };
  return {
    stripe,
    sent,
    maxPerCustomer: () => maxPerCustomer,
    maxInFlight: () => maxInFlight,
    reset: () => {
      inFlight = new Map();
    },
  };
}

async function subscribedOrg(sql: Sql, customer = 'cus_A') {
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
  await createSubscriptionWithCycle(sql, {
    orgId,
    stripeCustomerId: customer,
    periodStart: new Date('2026-11-01T00:00:00Z'),
    periodEnd: new Date('2026-12-01T00:00:00Z'),
  });
  return orgId;
}

const call = (orgId: string, callId: string, seconds: number) => ({
  orgId,
  callId,
  durationSeconds: String(seconds),
  billedMinutes: Math.ceil(seconds / 60),
  endedAt: new Date('2026-11-10T10:00:00Z'),
});

const statusOf = async (sql: Sql, callId: string) =>
  (
    await sql.query<{
      stripe_status: string;
      stripe_attempts: number;
      stripe_last_error: string | null;
      due_later: boolean;
    }>(
      `select stripe_status, stripe_attempts, stripe_last_error, stripe_next_attempt_at > now() as due_later from usage_records where call_id = $1`,
      [callId],
    )
  )[0]!;

const batchOf = async (sql: Sql, callId: string) =>
  (await sql.query<{ b: string }>(`select stripe_batch_id as b from usage_records where call_id = $1`, [callId]))[0]!.b;

/** Every call's batch went to Stripe exactly once, and the values sent add up to the ledger. */
async function expectEachCallSentOnce(sql: Sql, sent: Sent[]) {
  const rows = await sql.query<{ stripe_batch_id: string; minutes: number }>(
    `select stripe_batch_id, sum(billed_minutes)::int as minutes from usage_records group by stripe_batch_id`,
  );
  const identifiers = sent.map((s) => s.params.identifier);
  expect(new Set(identifiers).size).toBe(identifiers.length);
  expect(identifiers.sort()).toEqual(rows.map((r) => r.stripe_batch_id).sort());
  for (const s of sent)
    expect(Number(s.params.payload.value)).toBe(rows.find((r) => r.stripe_batch_id === s.params.identifier)!.minutes);
}

const makeDue = (sql: Sql) =>
  sql.query(
    `update usage_records set stripe_next_attempt_at = now() - interval '1 second' where stripe_status = 'pending'`,
  );

describeEachDatabase('deliver usage to the Stripe meter', (db) => {
  it('sends a call once as whole minutes, its batch id as identifier and idempotency key, stamped with its end', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-1', 61));
    const meter = fakeMeter();
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 0 });

    const batchId = await batchOf(db.sql, 'call-1');
    expect(batchId).toMatch(/^b_[0-9a-f]{32}$/);
    expect(meter.sent).toEqual([
      {
        key: `usage-${batchId}`,
        params: {
          event_name: 'voice_call_minutes',
          identifier: batchId,
          payload: { stripe_customer_id: 'cus_A', value: '2' },
          timestamp: Math.floor(new Date('2026-11-10T10:00:00Z').getTime() / 1000),
        },
      },
    ]);
    expect((await statusOf(db.sql, 'call-1')).stripe_status).toBe('sent');
  });

  it('keeps a call pending through a Stripe outage and sends it once Stripe answers again', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-outage', 300));
    let down = true;
    const meter = fakeMeter(() =>
      down ? stripeError('StripeConnectionError', undefined, 'connect ECONNREFUSED') : undefined,
    );
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 1 });
    const waiting = await statusOf(db.sql, 'call-outage');
    expect(waiting).toMatchObject({ stripe_status: 'pending', stripe_attempts: 1, due_later: true });
    expect(waiting.stripe_last_error).toContain('StripeConnectionError');

    expect(await drainUsageOutbox(ctx)).toMatchObject({ sent: 0, pending: 1 }); // not due yet: backoff
    down = false;
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    const batchId = await batchOf(db.sql, 'call-outage');
    expect(meter.sent.map((s) => s.key)).toEqual([`usage-${batchId}`, `usage-${batchId}`]);
  });

  it('counts a "duplicate identifier" answer as sent: Stripe already holds the event', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-dup', 60));
    const meter = fakeMeter(() =>
      stripeError(
        'StripeInvalidRequestError',
        400,
        'An event with identifier `call-dup` already exists. Meter event identifiers must be unique within 24 hours.',
      ),
    );
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 1, failed: 0, pending: 0 });
  });

  it('marks a call failed, keeping the error, when Stripe refuses it for good', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-refused', 60));
    const meter = fakeMeter(() =>
      stripeError('StripeInvalidRequestError', 400, 'The value of `payload[value]` must be a whole number.', {
        code: 'parameter_invalid',
        param: 'payload[value]',
      }),
    );
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 0, failed: 1, pending: 0 });
    const row = await statusOf(db.sql, 'call-refused');
    expect(row.stripe_status).toBe('failed');
    expect(row.stripe_last_error).toContain('must be a whole number');
  });

  it('a bad or rotated Stripe key fails no call: every call waits with backoff, one loud log a pass, all sent once fixed', async () => {
    const a = await subscribedOrg(db.sql, 'cus_A');
    const b = await subscribedOrg(db.sql, 'cus_B');
    for (const [orgId, callId] of [
      [a, 'key-a1'],
      [a, 'key-a2'],
      [a, 'key-a3'],
      [b, 'key-b1'],
    ] as const)
      await recordUsage(db.sql, call(orgId, callId, 60));
    let answer: Error | undefined = stripeError(
      'StripeAuthenticationError',
      401,
      'Invalid API Key provided: sk_test_****abcd',
    );
    const meter = fakeMeter(() => answer);
    const ctx = testContext(db.sql, meter.stripe);
    const loud = () => ctx.logger.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 4 });
    expect(meter.sent).toHaveLength(2); // one batch, one request, per organisation
    for (const callId of ['key-a1', 'key-a2', 'key-a3', 'key-b1']) {
      const row = await statusOf(db.sql, callId);
      expect(row).toMatchObject({ stripe_status: 'pending', stripe_attempts: 1, due_later: true });
      expect(row.stripe_last_error).toMatch(/configuration/i);
    }
    expect(loud()).toHaveLength(1);
    expect(loud()[0]!.msg).toMatch(/Stripe configuration error/);

    answer = stripeError(
      'StripePermissionError',
      403,
      'The provided key does not have the required permissions for this endpoint.',
    );
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 4 });
    expect(loud()).toHaveLength(2); // once more for the new pass, not once per call
    expect(await statusOf(db.sql, 'key-b1')).toMatchObject({
      stripe_status: 'pending',
      stripe_attempts: 2,
      due_later: true,
    });

    // The inline attempt after a new report only warns: an error line per reported call would bury the logs.
    await recordUsage(db.sql, call(a, 'key-a4', 60));
    await deliverSoon(ctx, a);
    expect(loud()).toHaveLength(2);
    expect(await statusOf(db.sql, 'key-a4')).toMatchObject({ stripe_status: 'pending', due_later: true });

    answer = undefined; // the operator set the right key
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 5, failed: 0, pending: 0 });
  });

  it('a meter Stripe does not know (resource_missing, or no active meter for the event name) fails no call either', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'no-meter-1', 60));
    await recordUsage(db.sql, call(orgId, 'no-meter-2', 60));
    const answers = [
      stripeError('StripeInvalidRequestError', 404, "No such billing.meter: 'mtr_gone'", {
        code: 'resource_missing',
        param: 'event_name',
      }),
      stripeError('StripeInvalidRequestError', 400, 'No active meter was found for event_name `voice_call_minutes`.', {
        code: 'parameter_invalid',
      }),
    ];
    for (const answer of answers) {
      const ctx = testContext(db.sql, fakeMeter(() => answer).stripe);
      expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 2 });
      expect(await statusOf(db.sql, 'no-meter-1')).toMatchObject({ stripe_status: 'pending', due_later: true });
      await makeDue(db.sql);
    }
  });

  it("resends without a timestamp when the end lies outside Stripe's window for the customer", async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-old', 60));
    const meter = fakeMeter((params) =>
      params.timestamp !== undefined
        ? stripeError('StripeInvalidRequestError', 400, 'Timestamp must be within the past 35 days', {
            code: 'timestamp_out_of_range',
            param: 'timestamp',
          })
        : undefined,
    );
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toMatchObject({ sent: 1 });
    const batchId = await batchOf(db.sql, 'call-old');
    expect(meter.sent[1]).toMatchObject({ key: `usage-${batchId}-now`, params: { identifier: batchId } });
    expect(meter.sent[1]!.params.timestamp).toBeUndefined();
  });

  it('a call older than Stripe\'s 35 days on our clock is not billed "now": it fails for an operator, unsent', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-too-old', 60)); // ended 2026-11-10T10:00Z
    await recordUsage(db.sql, call(orgId, 'call-34-days', 60));
    const outOfRange = () =>
      stripeError('StripeInvalidRequestError', 400, 'Timestamp must be within the past 35 days', {
        code: 'timestamp_out_of_range',
        param: 'timestamp',
      });
    const meter = fakeMeter((params) => (params.timestamp !== undefined ? outOfRange() : undefined));

    const day = 24 * 3_600_000;
    await db.sql.query(
      `update usage_records set stripe_next_attempt_at = now() + interval '1 hour' where call_id = 'call-34-days'`,
    );
    const fortyDaysLater = testContext(db.sql, meter.stripe, new Date(Date.parse('2026-11-10T10:00:00Z') + 40 * day));
    expect(await drainUsageOutbox(fortyDaysLater)).toEqual({ sent: 0, failed: 1, pending: 1 });
    expect(meter.sent.map((s) => s.key)).toEqual([`usage-${await batchOf(db.sql, 'call-too-old')}`]); // no "-now" resend
    const row = await statusOf(db.sql, 'call-too-old');
    expect(row.stripe_status).toBe('failed');
    expect(row.stripe_last_error).toContain("ended_at is outside Stripe's 35-day window; bill it by hand");
    expect(fortyDaysLater.logger.lines.some((l) => JSON.parse(l).level === 'error')).toBe(true);

    // 34 days after its end on our clock, Stripe's refusal means the customer's (test) clock differs: resend as now.
    await makeDue(db.sql);
    const thirtyFourDaysLater = testContext(
      db.sql,
      meter.stripe,
      new Date(Date.parse('2026-11-10T10:00:00Z') + 34 * day),
    );
    expect(await drainUsageOutbox(thirtyFourDaysLater)).toEqual({ sent: 1, failed: 0, pending: 0 });
    const later = await batchOf(db.sql, 'call-34-days');
    expect(meter.sent.map((s) => s.key).slice(1)).toEqual([`usage-${later}`, `usage-${later}-now`]);
  });

  it('records zero-minute calls but never sends them', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-zero', 0));
    const meter = fakeMeter();
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 1, failed: 0, pending: 0 });
    expect(meter.sent).toEqual([]);
  });

  it("sends one customer's calls one at a time", async () => {
    const a = await subscribedOrg(db.sql, 'cus_A');
    const b = await subscribedOrg(db.sql, 'cus_B');
    for (let i = 0; i < 6; i++) {
      await recordUsage(db.sql, call(a, `a-${i}`, 60));
      await recordUsage(db.sql, call(b, `b-${i}`, 60));
    }
    const meter = fakeMeter();
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe), { concurrency: 4 })).toMatchObject({ sent: 12 });
    expect(meter.maxPerCustomer()).toBe(1);
  });

  it('inline attempts for one organisation share one lane: every call sent once, one request at a time', async () => {
    const orgId = await subscribedOrg(db.sql);
    const meter = fakeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    const attempts: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      await recordUsage(db.sql, call(orgId, `burst-${i}`, 60));
      attempts.push(deliverSoon(ctx, orgId)); // what report-usage schedules after each answer
    }
    await Promise.all(attempts);
    await expectEachCallSentOnce(db.sql, meter.sent);
    expect(meter.sent.length).toBeLessThan(12); // calls that arrived while the lane was busy went together
    expect(meter.maxPerCustomer()).toBe(1);
  });

  it('inline attempts across many organisations on test clocks (v1 only): every call sent once, at most 4 requests at once', async () => {
    const orgIds: string[] = [];
    for (let i = 0; i < 10; i++) orgIds.push(await subscribedOrg(db.sql, `cus_many_${i}`));
    // On a test clock Stripe judges timestamps on the clock's time: nothing goes over the stream (stream-delivery.ts).
    await db.sql.query(`update subscriptions set stripe_test_clock_id = 'clock_1', stripe_clock_time = now()`);
    for (const [i, orgId] of orgIds.entries()) await recordUsage(db.sql, call(orgId, `many-${i}`, 60));
    const meter = fakeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    await Promise.all(orgIds.map((orgId) => deliverSoon(ctx, orgId))); // one report-usage answer per organisation
    await expectEachCallSentOnce(db.sql, meter.sent);
    expect(meter.sent).toHaveLength(10); // one customer each: one batch each
    expect(meter.maxPerCustomer()).toBe(1);
    expect(meter.maxInFlight()).toBeLessThanOrEqual(4); // the inline slots: each lane holds a connection ingestion needs
  });

  it('a started deliverer drains on its own and stops cleanly', async () => {
    const orgId = await subscribedOrg(db.sql);
    await recordUsage(db.sql, call(orgId, 'call-bg', 90));
    const meter = fakeMeter();
    const deliverer = startUsageDeliverer(testContext(db.sql, meter.stripe), { intervalMs: 10 });
    await expect.poll(async () => (await statusOf(db.sql, 'call-bg')).stripe_status).toBe('sent');
    await deliverer.stop();
    expect(meter.sent).toHaveLength(1);
  });
});

describePostgresOnly('deliver usage: concurrent deliverers', (db) => {
  it('three deliverers draining 150 calls at once send every call exactly once', async () => {
    const orgIds = [
      await subscribedOrg(db.sql, 'cus_1'),
      await subscribedOrg(db.sql, 'cus_2'),
      await subscribedOrg(db.sql, 'cus_3'),
    ];
    for (let i = 0; i < 150; i++) await recordUsage(db.sql, call(orgIds[i % 3]!, `c-${i}`, 60));
    const meter = fakeMeter();
    const pools = await Promise.all([db.connect(), db.connect(), db.connect()]);
    await Promise.all(pools.map((sql) => drainUsageOutbox(testContext(sql, meter.stripe), { batchSize: 7 })));
    await expectEachCallSentOnce(db.sql, meter.sent);
    const [row] = await db.sql.query<{ n: number }>(
      `select count(*)::int as n from usage_records where stripe_status = 'sent'`,
    );
    expect(row!.n).toBe(150);
  });
});

it('leases a batch for at least its two requests, whatever its size', () => {
  // A batch is one meter event: at most two requests (timestamped, then `-now`), each up to the timeout.
  expect(claimPlan({ batchSize: 1000, leaseSeconds: 300, timeoutMs: 20_000 })).toEqual({
    maxCalls: 1000,
    leaseSeconds: 300,
  });
  expect(claimPlan({ batchSize: 5, leaseSeconds: 60, timeoutMs: 40_000 })).toEqual({ maxCalls: 5, leaseSeconds: 90 });
  for (const o of [
    { batchSize: 50, leaseSeconds: 60, timeoutMs: 20_000 },
    { batchSize: 0, leaseSeconds: 1, timeoutMs: 3_000 },
  ]) {
    const plan = claimPlan(o);
    expect(2 * o.timeoutMs).toBeLessThanOrEqual(plan.leaseSeconds * 1000);
    expect(plan.maxCalls).toBeGreaterThanOrEqual(1);
  }
});

it('backs off exponentially with jitter, capped at an hour', () => {
  expect(retryDelayMs(1, () => 0)).toBe(1_000);
  expect(retryDelayMs(1, () => 0.999999)).toBe(2_000);
  expect(retryDelayMs(4, () => 0)).toBe(8_000);
  expect(retryDelayMs(40, () => 0.5)).toBe(2_700_000);
});
