/**
 * Above METER_STREAM_THRESHOLD due calls, a drain pass sends over Stripe's v2 meter event stream: up to 100
 * customers' batches in one request, on a session token reused until it expires (renewed on a 401
 * billing_meter_event_session_expired). Each call records the stream request that carried it. What the stream cannot
 * vouch for (events are validated after Stripe answers) goes over v1, and a lost answer is deduplicated by batch id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '@aisyst/stripe-emulator/testing';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import { testContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { fakeStripeMeter } from './fake-stripe-meter.ts';
import { ledger, makeDue, outbox, record, subscribedOrg } from './support.ts';

const CUSTOMERS = ['cus_1', 'cus_2', 'cus_3'];
const stream = { streamThreshold: 6 };

describeEachDatabase('deliver usage over the v2 meter event stream', (db) => {
  async function threeCustomersTwoCallsEach() {
    for (const customer of CUSTOMERS) {
      const { orgId } = await subscribedOrg(db.sql, customer);
      await record(db.sql, orgId, `${customer}-a`, 2);
      await record(db.sql, orgId, `${customer}-b`, 3);
    }
  }

  it("at the threshold, every customer's batch goes in one stream request that each call names; the session is reused", async () => {
    await threeCustomersTwoCallsEach();
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx, stream)).toEqual({ sent: 6, failed: 0, pending: 0 });
    expect(meter.requests).toHaveLength(1);
    expect(meter.requests[0]).toMatchObject({ kind: 'stream', identifiers: expect.any(Array) });
    const rows = await outbox(db.sql);
    const requestId = rows[0]!.stripe_stream_request_id;
    expect(requestId).toMatch(/^mesr_[0-9a-f]{32}$/);
    expect(rows.every((r) => r.stripe_stream_request_id === requestId)).toBe(true);
    expect(new Set(rows.map((r) => r.stripe_batch_id)).size).toBe(3);
    expect(Object.fromEntries(CUSTOMERS.map((c) => [c, meter.total(c)]))).toEqual(await ledger(db.sql));

    for (const { org_id } of await db.sql.query<{ org_id: string }>(`select distinct org_id from usage_records`))
      await record(db.sql, org_id, `later-${org_id}`, 1);
    expect(await drainUsageOutbox(ctx, { streamThreshold: 1 })).toEqual({ sent: 3, failed: 0, pending: 0 });
    expect(meter.requests.map((r) => r.kind)).toEqual(['stream', 'stream']);
    expect(meter.sessions()).toBe(1);
  });

  it('sends at most 100 batches per stream request, however many deliverers claim them at once', async () => {
    for (let i = 0; i < 130; i++) {
      const { orgId } = await subscribedOrg(db.sql, `cus_many_${i}`);
      await record(db.sql, orgId, `many-${i}`, 1);
    }
    const meter = fakeStripeMeter();
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe), { streamThreshold: 1, concurrency: 8 })).toEqual({
      sent: 130,
      failed: 0,
      pending: 0,
    });
    expect(meter.requests.map((r) => r.kind === 'stream' && r.identifiers.length)).toEqual([100, 30]);
  });

  it('an expired session is renewed once and the request resent: every call counted once', async () => {
    await threeCustomersTwoCallsEach();
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    await drainUsageOutbox(ctx, { streamThreshold: 1 }); // opens a session
    for (const customer of CUSTOMERS) {
      const [org] = await db.sql.query<{ org_id: string }>(
        `select org_id from usage_records where stripe_customer_id = $1 limit 1`,
        [customer],
      );
      await record(db.sql, org!.org_id, `${customer}-c`, 4);
    }
    meter.expireSession(); // 15 minutes later

    expect(await drainUsageOutbox(ctx, { streamThreshold: 1 })).toEqual({ sent: 3, failed: 0, pending: 0 });
    expect(meter.sessions()).toBe(2);
    expect(Object.fromEntries(CUSTOMERS.map((c) => [c, meter.total(c)]))).toEqual(await ledger(db.sql));
  });

  it('below the threshold the pass stays on v1, one event per customer', async () => {
    await threeCustomersTwoCallsEach();
    const meter = fakeStripeMeter();
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe), { streamThreshold: 7 })).toMatchObject({
      sent: 6,
    });
    expect(meter.requests.map((r) => r.kind)).toEqual(['v1', 'v1', 'v1']);
    expect(meter.sessions()).toBe(0);
  });

  it('a lost stream answer: the batches wait, keep their ids, and the resend is deduplicated', async () => {
    await threeCustomersTwoCallsEach();
    const meter = fakeStripeMeter((_, n) => (n === 1 ? 'lost-answer' : undefined));
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx, stream)).toEqual({ sent: 0, failed: 0, pending: 6 });
    const before = (await outbox(db.sql)).map((r) => r.stripe_batch_id);
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx, stream)).toEqual({ sent: 6, failed: 0, pending: 0 });
    expect((await outbox(db.sql)).map((r) => r.stripe_batch_id)).toEqual(before);
    expect(Object.fromEntries(CUSTOMERS.map((c) => [c, meter.total(c)]))).toEqual(await ledger(db.sql));
  });

  it('what the stream cannot vouch for goes over v1: a customer on a test clock, a call near the edge of the 35 days', async () => {
    await threeCustomersTwoCallsEach();
    await db.sql.query(
      `update subscriptions set stripe_test_clock_id = 'clock_1', stripe_clock_time = '2026-11-10T12:00:00Z'
        where stripe_customer_id = 'cus_1'`,
    );
    const meter = fakeStripeMeter();
    const thirtyFourDaysLater = new Date(Date.parse('2026-11-10T10:00:00Z') + 34.5 * 24 * 3_600_000);
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe), stream)).toMatchObject({ sent: 6 });
    expect(meter.requests.map((r) => r.kind).sort()).toEqual(['stream', 'v1']);
    expect(meter.requests.find((r) => r.kind === 'v1')).toMatchObject({ customer: 'cus_1' });

    const late = fakeStripeMeter();
    for (const customer of CUSTOMERS.slice(1)) {
      const [org] = await db.sql.query<{ org_id: string }>(
        `select org_id from usage_records where stripe_customer_id = $1 limit 1`,
        [customer],
      );
      await record(db.sql, org!.org_id, `${customer}-old`, 1);
    }
    expect(
      await drainUsageOutbox(testContext(db.sql, late.stripe, thirtyFourDaysLater), { streamThreshold: 1 }),
    ).toMatchObject({ sent: 2 });
    expect(late.requests.map((r) => r.kind)).toEqual(['v1', 'v1']);
  });

  it('a stream request refused as a whole (400) is resent over v1 batch by batch', async () => {
    await threeCustomersTwoCallsEach();
    const meter = fakeStripeMeter();
    const refusing = {
      ...meter.stripe,
      v2: {
        billing: {
          ...meter.stripe.v2.billing,
          meterEventStream: {
            async create() {
              throw Object.assign(new Error('events[1].payload: Required.'), {
                type: 'StripeInvalidRequestError',
                statusCode: 400,
                code: 'invalid_fields',
              });
            },
          },
        },
      },
    };
    expect(await drainUsageOutbox(testContext(db.sql, refusing), stream)).toEqual({ sent: 6, failed: 0, pending: 0 });
    expect(meter.requests.map((r) => r.kind)).toEqual(['v1', 'v1', 'v1']);
    expect((await outbox(db.sql)).every((r) => r.stripe_stream_request_id === null)).toBe(true);
  });
});

describe('the stream through the official SDK, against the emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.stripe.billing.meters.create({
      display_name: 'Voice Call Minutes',
      event_name: 'voice_call_minutes',
      default_aggregation: { formula: 'sum' },
    });
  });
  afterAll(() => h.emulator.close());

  describeEachDatabase('stream', (db) => {
    it("sends three customers' batches in one request and the meter shows each customer's minutes", async () => {
      const meterId = (await h.stripe.billing.meters.list()).data[0]!.id;
      const now = Date.now();
      const customers: string[] = [];
      for (let i = 0; i < 3; i++) {
        const customer = (await h.stripe.customers.create({ name: `Stream ${i}` })).id;
        customers.push(customer);
        const { orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: customer });
        await createSubscriptionWithCycle(db.sql, {
          orgId,
          stripeCustomerId: customer,
          periodStart: new Date(now - 10 * 86_400_000),
          periodEnd: new Date(now + 20 * 86_400_000),
        });
        for (let c = 0; c < 4; c++)
          await record(db.sql, orgId, `sdk-${i}-${c}`, c + 1, new Date(now - 3_600_000).toISOString());
      }
      const ctx = testContext(db.sql, h.stripe, new Date(now));
      expect(await drainUsageOutbox(ctx, { streamThreshold: 1 })).toEqual({ sent: 12, failed: 0, pending: 0 });
      expect(new Set((await outbox(db.sql)).map((r) => r.stripe_stream_request_id)).size).toBe(1);
      const hour = Math.floor(now / 3_600_000) * 3_600;
      for (const customer of customers) {
        await expect
          .poll(async () => {
            const s = await h.stripe.billing.meters.listEventSummaries(meterId, {
              customer,
              start_time: hour - 2 * 3_600,
              end_time: hour + 3_600,
            });
            return s.data.reduce((sum, x) => sum + x.aggregated_value, 0);
          })
          .toBe(10);
      }
    });
  });
});
