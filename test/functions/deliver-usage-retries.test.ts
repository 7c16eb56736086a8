/**
 * Retries of the meter-event outbox that Stripe's idempotency rules make subtle, and calls recorded before their
 * organisation had a Stripe customer.
 * - Stripe replays a saved answer, 500s included, for 24 h to a request with the same idempotency key
 *   (docs.stripe.com/api/idempotent_requests). After Stripe ANSWERED 5xx or 429 the next attempt therefore takes a
 *   fresh key, keeping the meter event identifier (which Stripe deduplicates); after a timeout it keeps the key.
 * - A call without a Stripe customer on its row gets the customer at delivery, or waits for one: never 'failed'.
 */
import { expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import { keyStem } from '../../src/usecases/usage/idempotency-key.ts';
import { stripeError, testContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

type Sent = { identifier: string; customer: string; key: string | undefined };

/** A fake `stripe.billing.meterEvents.create` that answers the n-th request from a script. */
function fakeMeter(script: (n: number) => Error | undefined) {
  const sent: Sent[] = [];
  const stripe = {
    billing: {
      meterEvents: {
        async create(
          params: { identifier: string; payload: Record<string, string> },
          opts?: { idempotencyKey?: string },
        ) {
          sent.push({
            identifier: params.identifier,
            customer: params.payload.stripe_customer_id!,
            key: opts?.idempotencyKey,
          });
          const answer = script(sent.length);
          if (answer) throw answer;
          return { object: 'billing.meter_event', ...params };
        },
      },
    },
  };
  return { stripe, sent };
}

const ENDED = new Date('2026-11-10T10:00:00Z');

async function subscribedOrg(sql: Sql, orgCustomer: string | null, subscriptionCustomer: string | null) {
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: orgCustomer });
  await createSubscriptionWithCycle(sql, {
    orgId,
    stripeCustomerId: subscriptionCustomer,
    periodStart: new Date('2026-11-01T00:00:00Z'),
    periodEnd: new Date('2026-12-01T00:00:00Z'),
  });
  return orgId;
}

const record = (sql: Sql, orgId: string, callId: string) =>
  recordUsage(sql, { orgId, callId, durationSeconds: '120', billedMinutes: 2, endedAt: ENDED });

const rowOf = async (sql: Sql, callId: string) =>
  (
    await sql.query<{
      stripe_status: string;
      stripe_customer_id: string | null;
      stripe_last_error: string | null;
      due_later: boolean;
    }>(
      `select stripe_status, stripe_customer_id, stripe_last_error, stripe_next_attempt_at > now() as due_later
       from usage_records where call_id = $1`,
      [callId],
    )
  )[0]!;

const batchOf = async (sql: Sql, callId: string) =>
  (await sql.query<{ b: string }>(`select stripe_batch_id as b from usage_records where call_id = $1`, [callId]))[0]!.b;

const makeDue = (sql: Sql) =>
  sql.query(
    `update usage_records set stripe_next_attempt_at = now() - interval '1 second' where stripe_status = 'pending'`,
  );

const serverError = () => stripeError('StripeAPIError', 500, 'An unknown error occurred');
const timeout = () =>
  stripeError('StripeConnectionError', undefined, 'Request aborted due to timeout being reached (20000ms)');
const rateLimited = () => stripeError('StripeRateLimitError', 429, 'Too many requests hit the API too quickly.');

describeEachDatabase('deliver usage: idempotency keys across retries', (db) => {
  it('after Stripe answered 500 the next attempt uses a fresh key and the same identifier, and the call is sent', async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_A', 'cus_A');
    await record(db.sql, orgId, 'call-500');
    const meter = fakeMeter((n) => (n === 1 ? serverError() : undefined));
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 1 });
    expect(await rowOf(db.sql, 'call-500')).toMatchObject({ stripe_status: 'pending', due_later: true });
    const [kept] = await db.sql.query<{ stripe_key_generation: number; stripe_last_error: string }>(
      `select stripe_key_generation, stripe_last_error from usage_records where call_id = 'call-500'`,
    );
    expect(kept!.stripe_key_generation).toBe(2); // the next attempt's key, kept on the row
    expect(kept!.stripe_last_error).not.toMatch(/\[key/);
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });

    const b = await batchOf(db.sql, 'call-500');
    expect(meter.sent).toEqual([
      { identifier: b, customer: 'cus_A', key: `usage-${b}` },
      { identifier: b, customer: 'cus_A', key: `usage-${b}-a2` },
    ]);
  });

  it('after a timeout the next attempt keeps the key: Stripe may hold the request', async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_A', 'cus_A');
    await record(db.sql, orgId, 'call-timeout');
    const meter = fakeMeter((n) => (n === 1 ? timeout() : undefined));
    const ctx = testContext(db.sql, meter.stripe);

    await drainUsageOutbox(ctx);
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    const b = await batchOf(db.sql, 'call-timeout');
    expect(meter.sent.map((s) => s.key)).toEqual([`usage-${b}`, `usage-${b}`]);
  });

  it('a 500, then a timeout, then a 429, then success: fresh key after each answer, kept after the timeout', async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_A', 'cus_A');
    await record(db.sql, orgId, 'call-mixed');
    const answers = [serverError(), timeout(), rateLimited(), undefined];
    const meter = fakeMeter((n) => answers[n - 1]);
    const ctx = testContext(db.sql, meter.stripe);

    for (let i = 0; i < 3; i++) {
      expect(await drainUsageOutbox(ctx)).toMatchObject({ sent: 0, pending: 1 });
      await makeDue(db.sql);
    }
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    const b = await batchOf(db.sql, 'call-mixed');
    expect(meter.sent.map((s) => s.key)).toEqual([`usage-${b}`, `usage-${b}-a2`, `usage-${b}-a2`, `usage-${b}-a4`]);
    expect(new Set(meter.sent.map((s) => s.identifier))).toEqual(new Set([b]));
    expect((await rowOf(db.sql, 'call-mixed')).stripe_last_error).toBeNull();
  });

  it('when the 500 hid an accepted event, the fresh key\'s "identifier already exists" answer counts the call as sent once', async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_A', 'cus_A');
    await record(db.sql, orgId, 'call-500-dup');
    const meter = fakeMeter((n) =>
      n === 1
        ? serverError()
        : stripeError('StripeInvalidRequestError', 400, 'An event with identifier `call-500-dup` already exists.'),
    );
    const ctx = testContext(db.sql, meter.stripe);

    await drainUsageOutbox(ctx);
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    const b = await batchOf(db.sql, 'call-500-dup');
    expect(meter.sent.map((s) => s.key)).toEqual([`usage-${b}`, `usage-${b}-a2`]);
  });
});

describeEachDatabase('deliver usage: calls recorded without a Stripe customer', (db) => {
  const dropCustomerFromRows = (sql: Sql) => sql.query(`update usage_records set stripe_customer_id = null`);

  it("takes the subscription's customer at delivery, stores it on the row, and sends", async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_ORG', 'cus_SUB');
    await record(db.sql, orgId, 'call-adopted');
    await dropCustomerFromRows(db.sql); // as in an adopted database
    const meter = fakeMeter(() => undefined);

    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 1, failed: 0, pending: 0 });
    const b = await batchOf(db.sql, 'call-adopted');
    expect(meter.sent).toEqual([{ identifier: b, customer: 'cus_SUB', key: `usage-${b}` }]);
    expect(await rowOf(db.sql, 'call-adopted')).toMatchObject({ stripe_status: 'sent', stripe_customer_id: 'cus_SUB' });
  });

  it("falls back to the organisation's customer when the subscription has none", async () => {
    const orgId = await subscribedOrg(db.sql, 'cus_ORG', null);
    await record(db.sql, orgId, 'call-org-customer');
    await dropCustomerFromRows(db.sql);
    const meter = fakeMeter(() => undefined);

    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 1, failed: 0, pending: 0 });
    expect(meter.sent.map((s) => s.customer)).toEqual(['cus_ORG']);
    expect((await rowOf(db.sql, 'call-org-customer')).stripe_customer_id).toBe('cus_ORG');
  });

  it('with no customer anywhere the call waits with backoff and a warning, and is sent once the organisation has one', async () => {
    const orgId = await subscribedOrg(db.sql, null, null);
    await record(db.sql, orgId, 'call-no-customer');
    const meter = fakeMeter(() => undefined);
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 1 });
    expect(meter.sent).toEqual([]);
    const waiting = await rowOf(db.sql, 'call-no-customer');
    expect(waiting).toMatchObject({ stripe_status: 'pending', stripe_customer_id: null, due_later: true });
    expect(waiting.stripe_last_error).toMatch(/no Stripe customer/);
    const warnings = ctx.logger.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/no Stripe customer/)]);

    await db.sql.query(`update organisations set stripe_customer_id = 'cus_LATE' where id = $1`, [orgId]); // checkout
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    expect(meter.sent.map((s) => s.customer)).toEqual(['cus_LATE']);
    expect(await rowOf(db.sql, 'call-no-customer')).toMatchObject({
      stripe_status: 'sent',
      stripe_customer_id: 'cus_LATE',
    });
  });
});

it('names the idempotency key of each generation', () => {
  expect(keyStem('call-1', 0)).toBe('usage-call-1');
  expect(keyStem('call-1', 3)).toBe('usage-call-1-a3');
});
