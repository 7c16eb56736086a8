/**
 * report-usage as a handler: the rules and answers of docs/http-api.md#report-usage, and
 * "bad input → 4xx, nothing written".
 */
import { expect, it } from 'vitest';
import type { Caller } from '../../src/http/route.ts';
import { route } from '../../src/http/routes/report-usage.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { testContext, type TestContext } from '../support/billing-fixtures.ts';
import {
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
  describePostgresOnly,
} from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const backend: Caller = { kind: 'backend' };

const report = (ctx: TestContext, json: unknown) => handleRoute(route, ctx, { caller: backend, json });

const silentMeter = { billing: { meterEvents: { create: async () => ({}) } } };

async function subscribed(sql: Sql, customer = 'cus_R') {
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
  await createSubscriptionWithCycle(sql, {
    orgId,
    stripeCustomerId: customer,
    periodStart: new Date('2026-11-01T00:00:00Z'),
    periodEnd: new Date('2026-12-01T00:00:00Z'),
  });
  return orgId;
}

const counts = async (sql: Sql) =>
  (
    await sql.query<{ calls: number; minutes: number }>(
      `select (select count(*)::int from usage_records) as calls, (select coalesce(sum(minutes_used), 0)::int from billing_cycles) as minutes`,
    )
  )[0]!;

describeEachDatabase('report-usage', (db) => {
  it("bills a 61-second call as 2 minutes and answers the cycle's figures; then delivers it to Stripe", async () => {
    const orgId = await subscribed(db.sql);
    const sent: unknown[] = [];
    const ctx = testContext(db.sql, {
      billing: {
        meterEvents: {
          create: async (p: unknown) => {
            sent.push(p);
            return {};
          },
        },
      },
    });
    const res = await report(ctx, {
      org_id: orgId,
      call_id: 'c-61',
      call_duration_seconds: 61,
      ended_at: '2026-11-10T10:00:00Z',
    });
    expect(res).toEqual({
      status: 200,
      body: {
        call_id: 'c-61',
        billed_minutes: 2,
        duplicate: false,
        cycle: {
          period_start: '2026-11-01T00:00:00.000Z',
          period_end: '2026-12-01T00:00:00.000Z',
          minutes_used: 2,
          included_minutes: 500,
          overage_minutes: 0,
          overage_cost_cents: 0,
          currency: 'eur',
        },
      },
    });
    await ctx.settle();
    expect(sent).toHaveLength(1);
  });

  it('1.2 minutes bills 2; a repeat answers duplicate with the original figures and counts nothing twice', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    const first = await report(ctx, {
      org_id: orgId,
      call_id: 'c-1.2',
      call_duration_minutes: 1.2,
      ended_at: '2026-11-10T10:00:00Z',
    });
    const again = await report(ctx, {
      org_id: orgId,
      call_id: 'c-1.2',
      call_duration_minutes: 1.2,
      ended_at: '2026-11-10T10:00:00Z',
    });
    expect(first.body.billed_minutes).toBe(2);
    expect(again).toEqual({ status: 200, body: { ...first.body, duplicate: true } });
    expect(await counts(db.sql)).toEqual({ calls: 1, minutes: 2 });
  });

  it('crossing the included minutes shows overage at €0.50 a minute', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    await report(ctx, {
      org_id: orgId,
      call_id: 'big',
      call_duration_minutes: 1_000,
      ended_at: '2026-11-10T10:00:00Z',
    });
    const res = await report(ctx, {
      org_id: orgId,
      call_id: 'more',
      call_duration_minutes: 234,
      ended_at: '2026-11-11T10:00:00Z',
    });
    expect(res.body.cycle).toMatchObject({ minutes_used: 1_234, overage_minutes: 734, overage_cost_cents: 36_700 });
  });

  it('the same call_id with another duration or organisation is a 409 call_id_conflict', async () => {
    const orgId = await subscribed(db.sql);
    const other = await subscribed(db.sql, 'cus_other');
    const ctx = testContext(db.sql, silentMeter);
    await report(ctx, { org_id: orgId, call_id: 'c', call_duration_seconds: 30 });
    expect((await report(ctx, { org_id: orgId, call_id: 'c', call_duration_seconds: 31 })).body.error).toBe(
      'call_id_conflict',
    );
    expect((await report(ctx, { org_id: other, call_id: 'c', call_duration_seconds: 30 })).status).toBe(409);
  });

  it('without a subscription the call is recorded unbilled and answered 409 no_active_subscription, also on repeat', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    for (let i = 0; i < 2; i++) {
      expect(await report(ctx, { org_id: orgId, call_id: 'lonely', call_duration_seconds: 90 })).toMatchObject({
        status: 409,
        body: { error: 'no_active_subscription' },
      });
    }
    const rows = await db.sql.query('select stripe_status from usage_records');
    expect(rows).toEqual([{ stripe_status: 'unbilled' }]);
  });

  it('an unknown organisation is a 404 and writes nothing', async () => {
    const ctx = testContext(db.sql, silentMeter);
    const res = await report(ctx, {
      org_id: '00000000-0000-4000-8000-000000000000',
      call_id: 'x',
      call_duration_seconds: 5,
    });
    expect(res).toMatchObject({ status: 404, body: { error: 'organisation_not_found' } });
    expect(await counts(db.sql)).toEqual({ calls: 0, minutes: 0 });
  });

  it('in live mode refuses an ended_at more than 5 minutes after now with 400 invalid_request naming ended_at, writing nothing', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter, new Date('2026-11-10T12:00:00Z'));
    ctx.config.stripe.mode = 'live';
    const res = await report(ctx, {
      org_id: orgId,
      call_id: 'from-the-future',
      call_duration_seconds: 60,
      ended_at: '2026-11-10T12:05:01Z',
    });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request', field: 'ended_at' } });
    expect(await counts(db.sql)).toEqual({ calls: 0, minutes: 0 });
    expect(
      (
        await report(ctx, {
          org_id: orgId,
          call_id: 'clock-skew',
          call_duration_seconds: 60,
          ended_at: '2026-11-10T12:05:00Z',
        })
      ).status,
    ).toBe(200);
    expect((await report(ctx, { org_id: orgId, call_id: 'ended-now', call_duration_seconds: 60 })).status).toBe(200);
    expect(await counts(db.sql)).toEqual({ calls: 2, minutes: 2 });
  });

  it('in test mode takes an ended_at ahead of our clock: the customer may live on a Stripe test clock', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter, new Date('2026-11-10T12:00:00Z'));
    ctx.config.stripe.mode = 'test';
    const res = await report(ctx, {
      org_id: orgId,
      call_id: 'test-clock-call',
      call_duration_seconds: 60,
      ended_at: '2026-11-20T09:00:00Z',
    });
    expect(res.status).toBe(200);
  });

  it('takes printable call_ids of any script, emoji and inner spaces alike', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    for (const callId of ['café-☎-通話-😀', 'call 1', `${'x'.repeat(254)}😀`]) {
      expect(
        await report(ctx, {
          org_id: orgId,
          call_id: callId,
          call_duration_seconds: 60,
          ended_at: '2026-11-10T10:00:00Z',
        }),
      ).toMatchObject({ status: 200, body: { call_id: callId, duplicate: false } });
    }
  });

  it('answers figures past 2^31 cents as plain JSON numbers', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    await db.sql.query(
      'update billing_cycles set minutes_used = 43000000, overage_minutes = 42999500, overage_cost_cents = 2149975000 where org_id = $1',
      [orgId],
    );
    const res = await report(ctx, {
      org_id: orgId,
      call_id: 'past-2^31',
      call_duration_minutes: 1,
      ended_at: '2026-11-10T10:00:00Z',
    });
    expect(res).toMatchObject({
      status: 200,
      body: { cycle: { minutes_used: 43_000_001, overage_minutes: 42_999_501, overage_cost_cents: 2_149_975_050 } },
    });
  });

  it.each([
    ['an empty object', undefined, 'org_id'],
    ['org_id not a uuid', { org_id: 'acme', call_id: 'c', call_duration_seconds: 1 }, 'org_id'],
    ['call_id missing', { call_duration_seconds: 1 }, 'call_id'],
    ['call_id empty', { call_id: '', call_duration_seconds: 1 }, 'call_id'],
    ['call_id too long', { call_id: 'x'.repeat(256), call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a control character', { call_id: 'a\nb', call_duration_seconds: 1 }, 'call_id'],
    ['call_id a number', { call_id: 42, call_duration_seconds: 1 }, 'call_id'],
    ['no duration', { call_id: 'c' }, 'call_duration_minutes'],
    ['both durations', { call_id: 'c', call_duration_seconds: 60, call_duration_minutes: 1 }, 'call_duration_seconds'],
    ['negative seconds', { call_id: 'c', call_duration_seconds: -1 }, 'call_duration_seconds'],
    ['duration as a string', { call_id: 'c', call_duration_seconds: '60' }, 'call_duration_seconds'],
    ['over 24 hours', { call_id: 'c', call_duration_minutes: 24 * 60 + 1 }, 'call_duration_minutes'],
    ['ended_at not ISO 8601', { call_id: 'c', call_duration_seconds: 1, ended_at: 'yesterday' }, 'ended_at'],
    [
      'ended_at without a zone',
      { call_id: 'c', call_duration_seconds: 1, ended_at: '2026-11-10T10:00:00' },
      'ended_at',
    ],
    // Lone surrogates were stored as U+FFFD: "\ud800" and "\udbff" became one call_id, the second call unbilled.
    ['call_id a lone high surrogate', { call_id: '\ud800', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a lone low surrogate', { call_id: 'call-\udc00', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a right-to-left override', { call_id: 'call-\u202e1', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a zero-width space', { call_id: 'call-\u200b1', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a line separator', { call_id: 'call-\u20281', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a no-break space', { call_id: 'call\u00a01', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with a private-use character', { call_id: 'call-\ue000', call_duration_seconds: 1 }, 'call_id'],
    ['call_id with NUL', { call_id: 'call-\u0000', call_duration_seconds: 1 }, 'call_id'],
    // PostgreSQL has no year 0 and JavaScript writes year 10000 as "+010000": both answered 500.
    ['ended_at in year 0', { call_id: 'c', call_duration_seconds: 1, ended_at: '0000-01-01T00:00:00Z' }, 'ended_at'],
    [
      'ended_at past year 9999 in UTC',
      { call_id: 'c', call_duration_seconds: 1, ended_at: '9999-12-31T23:00:00-14:00' },
      'ended_at',
    ],
    ['ended_at before 2000', { call_id: 'c', call_duration_seconds: 1, ended_at: '1999-12-31T23:59:59Z' }, 'ended_at'],
  ])('refuses %s with 400 invalid_request naming the field, writing nothing', async (_name, body, field) => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    const json = body === undefined ? {} : { org_id: orgId, ...body };
    const res = await report(ctx, json);
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request', field } });
    expect(await counts(db.sql)).toEqual({ calls: 0, minutes: 0 });
  });

  it('says which rule a refused duration breaks, in the words of the request field', async () => {
    const orgId = await subscribed(db.sql);
    const ctx = testContext(db.sql, silentMeter);
    expect(await report(ctx, { org_id: orgId, call_id: 'c', call_duration_seconds: -1 })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', message: 'call_duration_seconds must be a finite number ≥ 0' },
    });
    expect(await report(ctx, { org_id: orgId, call_id: 'c', call_duration_minutes: 24 * 60 + 1 })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', message: 'call_duration_minutes must be at most 24 hours' },
    });
  });
});

describePostgresOnly('report-usage under concurrency', (db) => {
  it('200 concurrent reports (each sent twice) count every call once: the cycle holds the exact sum', async () => {
    const orgId = await subscribed(db.sql);
    const pool = await db.connect({ max: 20 });
    const ctx = testContext(pool, silentMeter);
    const calls = Array.from({ length: 200 }, (_, i) => ({
      org_id: orgId,
      call_id: `race-${i}`,
      call_duration_seconds: 1 + i * 7,
      ended_at: '2026-11-10T10:00:00Z',
    }));
    const answers = await Promise.all([...calls, ...calls].map((c) => report(ctx, c)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.duplicate).length).toBe(200);
    const expected = calls.reduce((sum, c) => sum + Math.ceil(c.call_duration_seconds / 60), 0);
    expect(await counts(db.sql)).toEqual({ calls: 200, minutes: expected });
    await ctx.settle();
  });
});
