/**
 * Issue 11 §4 as a customer lives it, on the whole local stack and a Stripe test clock: an owner's calls in November,
 * read back page by page, as CSV and per day, add up to the dashboard's summary and, after the month ends, to the
 * minutes on the invoice's metered line — to the minute. Nobody else can read the log.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachDatabaseKind } from '../support/database.ts';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  invoicesOf,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
} from '../scenarios/world.ts';
import { readCsv } from './support.ts';

describeOnEachDatabaseKind('the call log of a month adds up to the summary and the invoice', (database) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a Starter customer audits November call by call: pages, CSV and days agree with billing-summary and the invoice', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Audit');
    await subscribe(stack, acme, 'Starter', 'monthly');

    // Eleven calls, some odd seconds (rounded up per call), call ids a spreadsheet would trip over, two at one instant.
    const calls: Array<[string, number, string]> = [
      ['call-001', 61, '2026-11-02T09:00:00Z'],
      ['call,with,commas', 3_599.5, '2026-11-02T15:30:00Z'],
      ['call "quoted"', 1, '2026-11-05T08:00:00Z'],
      ['=HYPERLINK("http://evil")', 7_200, '2026-11-05T08:00:00Z'],
      ['call-005', 12_345.678, '2026-11-09T12:00:00Z'],
      ['call-006', 0, '2026-11-12T12:00:00Z'],
      ['call-007', 1_800, '2026-11-18T23:59:59.999Z'],
      ['call-008', 9_000, '2026-11-19T00:00:00Z'],
      ['-call-009', 59, '2026-11-25T10:00:00Z'],
      ['call-010', 4_321, '2026-11-28T10:00:00Z'],
      ['call-011', 600, '2026-11-30T23:00:00Z'],
    ];
    for (const [callId, seconds, endedAt] of calls) {
      const res = await stack.call('report-usage', {
        token: stack.serviceRoleKey,
        body: { org_id: acme.orgId, call_id: callId, call_duration_seconds: seconds, ended_at: endedAt },
      });
      expect([callId, res.status]).toEqual([callId, 200]);
    }
    const billedByRule = calls.reduce((n, [, seconds]) => n + Math.ceil(seconds / 60), 0);

    // The owner pages through the log, three calls at a time.
    const listed: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; json: any } = await stack.call(
        `usage-records?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        {
          token: acme.token,
        },
      );
      expect(page.status).toBe(200);
      listed.push(...page.json.calls);
      cursor = page.json.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(listed.map((c) => c.call_id).sort()).toEqual(calls.map(([id]) => id).sort());
    const fromPages = listed.reduce((n, c) => n + c.billed_minutes, 0);

    const csv = await stack.call('usage-records', { token: acme.token, headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = readCsv(csv.json as string);
    expect(header![3]).toBe('billed_minutes');
    expect(rows.map((r) => r[0])).toEqual(
      listed.map((c) => (/^[=+\-@]/.test(c.call_id) ? `'${c.call_id}` : c.call_id)),
    );
    const fromCsv = rows.reduce((n, r) => n + Number(r[3]), 0);

    const daily = await stack.call('usage-records?view=daily', { token: acme.token });
    expect(daily.json.days).toHaveLength(30);
    const fromDays = daily.json.days.reduce((n: number, d: { billed_minutes: number }) => n + d.billed_minutes, 0);

    const summary = await summaryOf(stack, acme);
    expect({ fromPages, fromCsv, fromDays, totals: daily.json.totals.billed_minutes }).toEqual({
      fromPages: billedByRule,
      fromCsv: billedByRule,
      fromDays: billedByRule,
      totals: billedByRule,
    });
    expect(summary.usage.minutes_used).toBe(billedByRule);

    // Once the deliverer has sent them, every call says so; then the month ends on the test clock.
    await usageDelivered(stack);
    const delivered = await stack.call('usage-records?limit=200', { token: acme.token });
    expect(delivered.json.calls.every((c: { delivered_to_stripe: boolean }) => c.delivered_to_stripe)).toBe(true);
    const november = delivered.json.cycle.id;
    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');

    const invoice = (await invoicesOf(stack, acme)).at(-1)!;
    expect(invoice.billing_reason).toBe('subscription_cycle');
    const metered = invoice.lines.data.filter((l) => l.description?.includes('tiered'));
    expect(metered.map((l) => l.quantity)).toEqual([billedByRule]);

    // November stays auditable by its id after the renewal; "current" is now December, empty.
    const closed = await stack.call(`usage-records?cycle=${november}&limit=200`, { token: acme.token });
    expect(closed.json.cycle).toMatchObject({ status: 'closed', minutes_used: billedByRule });
    expect(closed.json.calls.reduce((n: number, c: { billed_minutes: number }) => n + c.billed_minutes, 0)).toBe(
      billedByRule,
    );
    const current = await stack.call('usage-records', { token: acme.token });
    expect(current.json.cycle.period_start).toBe('2026-12-01T00:00:00.000Z');
    expect(current.json.calls).toEqual([]);
    expect(current.json.cycles.map((c: { id: string }) => c.id)).toContain(november);
  });

  it('answers only the owner: no token is a 401, another owner gets the 404 billing-summary gives', async () => {
    const owner = await signUpWithOrganisation(stack, 'Acme Private');
    const stranger = await stack.signUp();
    await stack.createOrganisation(stranger.accessToken, 'Stranger Calls');

    const anonymous = await stack.call(`usage-records?org_id=${owner.orgId}`);
    expect([anonymous.status, anonymous.json.error]).toEqual([401, 'unauthorized']);
    const summary = await stack.call(`billing-summary?org_id=${owner.orgId}`, { token: stranger.accessToken });
    for (const query of ['', '&format=csv', '&view=daily']) {
      const res = await stack.call(`usage-records?org_id=${owner.orgId}${query}`, { token: stranger.accessToken });
      expect([res.status, res.json]).toEqual([404, summary.json]);
    }
  });
});
