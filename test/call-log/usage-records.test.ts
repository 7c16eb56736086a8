/**
 * GET usage-records on both databases: a cycle's calls newest first in keyset pages that add up to the ledger, the
 * CSV of the same rows (quoted, formula-guarded), the per-day minutes, and every bad input a 400 naming its field.
 */
import { expect, it } from 'vitest';
import { route as billingSummary } from '../../src/http/routes/billing-summary.ts';
import { encodePageCursor } from '../../src/usecases/call-log/page-cursor.ts';
import { testContext } from '../support/billing-fixtures.ts';
import {
  addBillingCycle,
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
} from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';
import { allPages, askUsageRecords, readCsv, recordCall } from './support.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

describeEachDatabase('usage-records', (db) => {
  async function customerWithCalls(calls: Array<{ callId: string; seconds: number; endedAt: string }>) {
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { orgName: 'Acme' });
    const { cycleId, subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    for (const call of calls) await recordCall(db.sql, orgId, call);
    return { userId, orgId, cycleId, subscriptionId, ctx: testContext(db.sql, {}) };
  }

  const ledger = async (cycleId: string) =>
    db.sql.query<{
      call_id: string;
      ended_at: Date;
      duration_seconds: string;
      billed_minutes: number;
      stripe_status: string;
    }>(
      `select call_id, ended_at, duration_seconds::text as duration_seconds, billed_minutes, stripe_status
         from usage_records where billing_cycle_id = $1 order by call_id`,
      [cycleId],
    );

  it('pages the current cycle newest first, with no call twice or missing, and the minutes add up to the cycle', async () => {
    // Three calls end in the same millisecond: the key's id breaks the tie, so a page boundary between them loses none.
    const calls = [
      { callId: 'c-1', seconds: 61, endedAt: '2026-11-02T09:00:00Z' },
      { callId: 'c-2', seconds: 59.5, endedAt: '2026-11-03T09:00:00Z' },
      { callId: 'c-3', seconds: 600, endedAt: '2026-11-05T10:00:00.123Z' },
      { callId: 'c-4', seconds: 1, endedAt: '2026-11-05T10:00:00.123Z' },
      { callId: 'c-5', seconds: 3600, endedAt: '2026-11-05T10:00:00.123Z' },
      { callId: 'c-6', seconds: 0, endedAt: '2026-11-09T23:59:59.999Z' },
      { callId: 'c-7', seconds: 125.25, endedAt: '2026-11-10T08:00:00Z' },
    ];
    const { userId, cycleId, ctx } = await customerWithCalls(calls);
    const { pages, calls: listed } = await allPages(ctx, userId, '?limit=2');

    expect(pages.map((p) => p.calls.length)).toEqual([2, 2, 2, 1]);
    expect(pages.at(-1).next_cursor).toBeNull();
    expect(new Set(listed.map((c) => c.call_id)).size).toBe(calls.length);
    const times = listed.map((c) => Date.parse(c.ended_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(listed[0]).toEqual({
      call_id: 'c-7',
      ended_at: '2026-11-10T08:00:00.000Z',
      duration_seconds: 125.25,
      billed_minutes: 3,
      stripe_status: 'pending',
      delivered_to_stripe: false,
    });
    const rows = await ledger(cycleId);
    expect([...listed].sort((a, b) => (a.call_id < b.call_id ? -1 : 1))).toEqual(
      rows.map((r) => ({
        call_id: r.call_id,
        ended_at: new Date(r.ended_at).toISOString(),
        duration_seconds: Number(r.duration_seconds),
        billed_minutes: r.billed_minutes,
        stripe_status: r.stripe_status,
        delivered_to_stripe: r.stripe_status === 'sent',
      })),
    );
    const billed = listed.reduce((n, c) => n + c.billed_minutes, 0);
    expect(pages[0].cycle).toMatchObject({ id: cycleId, minutes_used: billed, included_minutes: 500 });
    const summary = await handleRoute(
      billingSummary,
      testContext(db.sql, { invoices: { list: async () => ({ data: [] }) } }),
      {
        caller: { kind: 'user', userId, email: undefined },
      },
    );
    expect(summary.body.usage.minutes_used).toBe(billed);
  });

  it('keys pages to the microsecond PostgreSQL keeps: calls a millisecond apart or less still page one by one', async () => {
    const { userId, orgId, cycleId, ctx } = await customerWithCalls([]);
    // record_usage stamps a call without ended_at with now(), to the microsecond; a millisecond key would skip these.
    await db.sql.query(
      `insert into usage_records (org_id, call_id, billing_cycle_id, duration_seconds, billed_minutes, ended_at, stripe_status)
       select $1, 'micro-' || g, $2, 60, 1, timestamptz '2026-11-04T10:00:00.123000Z' + g * interval '1 microsecond', 'pending'
         from generate_series(1, 5) g`,
      [orgId, cycleId],
    );
    const { pages, calls } = await allPages(ctx, userId, '?limit=1');
    expect(pages).toHaveLength(5);
    expect(calls.map((c) => c.call_id)).toEqual(['micro-5', 'micro-4', 'micro-3', 'micro-2', 'micro-1']);
  });

  it('says which calls Stripe has: delivered_to_stripe follows the outbox state', async () => {
    const { userId, ctx } = await customerWithCalls([
      { callId: 'sent-call', seconds: 120, endedAt: '2026-11-04T09:00:00Z' },
      { callId: 'waiting-call', seconds: 120, endedAt: '2026-11-05T09:00:00Z' },
    ]);
    await db.sql.query(
      `update usage_records set stripe_status = 'sent', stripe_sent_at = now() where call_id = 'sent-call'`,
    );
    const res = await askUsageRecords(ctx, userId, '');
    expect(res.body.calls.map((c: any) => [c.call_id, c.stripe_status, c.delivered_to_stripe])).toEqual([
      ['waiting-call', 'pending', false],
      ['sent-call', 'sent', true],
    ]);
  });

  it('shows an earlier cycle by id, and lists the cycles to choose from', async () => {
    const { userId, orgId, subscriptionId, ctx } = await customerWithCalls([
      { callId: 'nov-call', seconds: 60, endedAt: '2026-11-20T09:00:00Z' },
    ]);
    const octId = await addBillingCycle(db.sql, {
      subscriptionId,
      orgId,
      periodStart: new Date('2026-10-01T00:00:00Z'),
      periodEnd: NOV.periodStart,
      includedMinutes: 500,
      overageRateCents: 50,
      status: 'closed',
    });
    await recordCall(db.sql, orgId, { callId: 'oct-call', seconds: 30, endedAt: '2026-10-15T09:00:00Z' });
    const current = await askUsageRecords(ctx, userId, '');
    expect(current.body.calls.map((c: any) => c.call_id)).toEqual(['nov-call']);
    expect(current.body.cycles.map((c: any) => c.period_start)).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-10-01T00:00:00.000Z',
    ]);
    const october = await askUsageRecords(ctx, userId, `?cycle=${octId}`);
    expect(october.body.cycle).toMatchObject({ id: octId, status: 'closed', minutes_used: 1 });
    expect(october.body.calls.map((c: any) => c.call_id)).toEqual(['oct-call']);
  });

  it('streams the whole cycle as CSV: the ledger row for row, quoted, with formula-looking call ids made text', async () => {
    const tricky = [
      'plain',
      'with,comma',
      'with "quotes"',
      '=HYPERLINK("http://x")',
      '+1',
      '-2',
      '@SUM(A1)',
      "'quoted",
    ];
    const calls = tricky.map((callId, i) => ({
      callId,
      seconds: 30 + i * 45.5,
      endedAt: new Date(Date.UTC(2026, 10, 2 + i, 9)).toISOString(),
    }));
    const { userId, cycleId, ctx } = await customerWithCalls(calls);
    const viaAccept = await askUsageRecords(ctx, userId, '', { accept: 'text/csv' });
    const viaFormat = await askUsageRecords(ctx, userId, '?format=csv');
    expect(viaAccept.status).toBe(200);
    expect(viaAccept.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(viaAccept.headers.get('content-disposition')).toBe('attachment; filename="aisyst-calls-2026-11-01.csv"');
    expect(viaFormat.text).toBe(viaAccept.text);

    const [header, ...rows] = readCsv(viaAccept.text);
    expect(header).toEqual([
      'call_id',
      'ended_at',
      'duration_seconds',
      'billed_minutes',
      'stripe_status',
      'delivered_to_stripe',
    ]);
    const guarded = (id: string) => (/^[=+\-@]/.test(id) ? `'${id}` : id);
    const expected = (await ledger(cycleId))
      .sort((a, b) => Date.parse(String(b.ended_at)) - Date.parse(String(a.ended_at)))
      .map((r) => [
        guarded(r.call_id),
        new Date(r.ended_at).toISOString(),
        String(Number(r.duration_seconds)),
        String(r.billed_minutes),
        r.stripe_status,
        'false',
      ]);
    expect(rows).toEqual(expected);
    expect(viaAccept.text).toContain('"with ""quotes"""');
    expect(viaAccept.text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(rows.reduce((n, r) => n + Number(r[3]), 0)).toBe(
      (await db.sql.query<{ m: number }>('select minutes_used as m from billing_cycles where id = $1', [cycleId]))[0]!
        .m,
    );
  });

  it('streams a cycle larger than one batch without repeating or dropping a row', async () => {
    const { userId, orgId, cycleId, ctx } = await customerWithCalls([]);
    // 2,345 calls in one statement (faster than record_usage one by one), then the cycle counts them as record_usage would.
    await db.sql.query(
      `insert into usage_records (org_id, call_id, billing_cycle_id, duration_seconds, billed_minutes, ended_at, stripe_status)
       select $1, 'bulk-' || g, $2, 61, 2, timestamptz '2026-11-03T00:00:00Z' + (g % 700) * interval '1 minute', 'sent'
         from generate_series(1, 2345) g`,
      [orgId, cycleId],
    );
    const res = await askUsageRecords(ctx, userId, '?format=csv');
    const [, ...rows] = readCsv(res.text);
    expect(rows).toHaveLength(2345);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2345);
  });

  it('answers the billed minutes of every day of the cycle, adding up to the cycle', async () => {
    const { userId, ctx } = await customerWithCalls([
      { callId: 'd-1', seconds: 90, endedAt: '2026-11-01T00:00:00Z' },
      { callId: 'd-2', seconds: 30, endedAt: '2026-11-01T23:59:59.999Z' },
      { callId: 'd-3', seconds: 600, endedAt: '2026-11-15T12:00:00Z' },
      { callId: 'd-4', seconds: 61, endedAt: '2026-11-30T23:59:59Z' },
    ]);
    const res = await askUsageRecords(ctx, userId, '?view=daily');
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    expect(res.body.days[0]).toEqual({ date: '2026-11-01', calls: 2, billed_minutes: 3 });
    expect(res.body.days[14]).toEqual({ date: '2026-11-15', calls: 1, billed_minutes: 10 });
    expect(res.body.days[29]).toEqual({ date: '2026-11-30', calls: 1, billed_minutes: 2 });
    expect(res.body.days[1]).toEqual({ date: '2026-11-02', calls: 0, billed_minutes: 0 });
    expect(res.body.totals).toEqual({ calls: 4, billed_minutes: 15 });
    expect(res.body.cycle.minutes_used).toBe(15);
  });

  it('answers an organisation without a subscription with an empty log', async () => {
    const { userId } = await createUserAndOrganisation(db.sql, { orgName: 'New' });
    const ctx = testContext(db.sql, {});
    expect((await askUsageRecords(ctx, userId, '')).body).toMatchObject({ cycle: null, calls: [], next_cursor: null });
    expect((await askUsageRecords(ctx, userId, '?view=daily')).body).toMatchObject({ cycle: null, days: [] });
    expect((await askUsageRecords(ctx, userId, '?format=csv')).text).toBe(
      'call_id,ended_at,duration_seconds,billed_minutes,stripe_status,delivered_to_stripe\r\n',
    );
  });

  it('refuses bad input with 400 and the field, before reading anything', async () => {
    const { userId, orgId, subscriptionId, ctx } = await customerWithCalls([
      { callId: 'only', seconds: 60, endedAt: '2026-11-02T09:00:00Z' },
    ]);
    const otherCycle = await addBillingCycle(db.sql, {
      subscriptionId,
      orgId,
      periodStart: new Date('2026-10-01T00:00:00Z'),
      periodEnd: NOV.periodStart,
      includedMinutes: 500,
      overageRateCents: 50,
    });
    const made = (c: string, t: string, i: string) => Buffer.from(JSON.stringify({ c, t, i })).toString('base64url');
    const someId = '00000000-0000-4000-8000-000000000001';
    const cases: Array<[string, string]> = [
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=1.5', 'limit'],
      ['?limit=-3', 'limit'],
      ['?cycle=last-month', 'cycle'],
      [`?cycle=${someId}`, 'cycle'],
      ['?format=xml', 'format'],
      ['?view=weekly', 'view'],
      ['?view=daily&format=csv', 'format'],
      ['?org_id=acme', 'org_id'],
      ['?cursor=not-a-cursor!', 'cursor'],
      ['?cursor=eyJ4IjoxfQ', 'cursor'],
      [`?cursor=${made(someId, '2026-02-30T10:00:00.000000Z', someId)}`, 'cursor'],
      [`?cursor=${made(someId, '2026-11-02T24:00:00.000000Z', someId)}`, 'cursor'],
      [`?cursor=${made(someId, '2026-11-02T09:00:00Z', someId)}`, 'cursor'],
      [`?cursor=${made('x', '2026-11-02T09:00:00.000000Z', someId)}`, 'cursor'],
      [`?cursor=${'A'.repeat(500)}`, 'cursor'],
      // A well-formed cursor of a cycle that is not the organisation's, and one paging another cycle than asked for.
      [
        `?cursor=${encodePageCursor({ cycleId: someId, after: { endedAt: '2026-11-02T09:00:00.000000Z', id: someId } })}`,
        'cursor',
      ],
      [
        `?cycle=${otherCycle}&cursor=${encodePageCursor({ cycleId: someId, after: { endedAt: '2026-11-02T09:00:00.000000Z', id: someId } })}`,
        'cursor',
      ],
    ];
    for (const [query, field] of cases) {
      const res = await askUsageRecords(ctx, userId, query);
      expect([query, res.status, res.body?.error, res.body?.field]).toEqual([query, 400, 'invalid_request', field]);
      expect(res.body.message.startsWith(`${field}: `)).toBe(true);
    }
  });

  it('says what a cycle must be', async () => {
    const { userId, ctx } = await customerWithCalls([]);
    const res = await askUsageRecords(ctx, userId, '?cycle=last-month');
    expect(res.body.message).toBe('cycle: must be "current" or a billing cycle id (uuid)');
  });

  it("refuses another owner's organisation, cycle or cursor exactly as billing-summary refuses an organisation", async () => {
    const alice = await customerWithCalls([{ callId: 'alice-call', seconds: 60, endedAt: '2026-11-02T09:00:00Z' }]);
    const bob = await createUserAndOrganisation(db.sql, { orgName: 'Bob' });
    const ctx = testContext(db.sql, { invoices: { list: async () => ({ data: [] }) } });
    const refusal = await handleRoute(billingSummary, ctx, {
      caller: { kind: 'user', userId: bob.userId, email: undefined },
      path: `?org_id=${alice.orgId}`,
    });
    expect(refusal.status).toBe(404);
    for (const query of [
      `?org_id=${alice.orgId}`,
      `?org_id=${alice.orgId}&format=csv`,
      `?org_id=${alice.orgId}&view=daily`,
    ]) {
      const res = await askUsageRecords(ctx, bob.userId, query);
      expect([query, res.status, res.body]).toEqual([query, 404, refusal.body]);
    }
    // Bob's own organisation with Alice's cycle id or a cursor into it: nothing of Alice's is read or confirmed.
    const aliceCursor = encodePageCursor({
      cycleId: alice.cycleId,
      after: { endedAt: '2026-11-30T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000001' },
    });
    const byCycle = await askUsageRecords(ctx, bob.userId, `?cycle=${alice.cycleId}`);
    const byCursor = await askUsageRecords(ctx, bob.userId, `?cursor=${aliceCursor}`);
    expect([byCycle.status, byCycle.body.field, byCursor.status, byCursor.body.field]).toEqual([
      400,
      'cycle',
      400,
      'cursor',
    ]);
    expect(byCycle.text + byCursor.text).not.toContain('alice-call');
  });
});
