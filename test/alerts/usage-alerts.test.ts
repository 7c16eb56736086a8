/**
 * Usage alerts by e-mail (issue 11 §3; docs/design.md#usage-alerts), on the whole local stack: the owner hears at 80 %
 * and 100 % of the included minutes and when the spend cap is reached — one e-mail per threshold per cycle, through
 * real SMTP (the stack's catch-all server, shown at /_dev/mail), whatever is repeated; a new cycle gets its own
 * alerts and an earlier one never sends any; a mail server that is down delays the e-mail, it does not lose it.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type CaughtMail } from '../../src/adapters/mail/mail-catcher.ts';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  type Customer,
} from '../scenarios/world.ts';

const caughtMail = async (stack: TestStack): Promise<CaughtMail[]> =>
  ((await (await fetch(`${stack.url}/_dev/mail.json`)).json()) as { messages: CaughtMail[] }).messages;

const subjectsTo = (mail: CaughtMail[], email: string) =>
  mail
    .filter((m) => m.to.includes(email))
    .map((m) => m.subject)
    .sort();

const ownerEmail = async (stack: TestStack, c: Customer) =>
  (await stack.sql.query<{ email: string }>('select email from auth.users where id = $1', [c.userId]))[0]!.email;

/** Stripe delivers again every event it ever sent, applied in full (what was processed is forgotten first). */
async function redeliverEveryEvent(stack: TestStack): Promise<void> {
  const events: Stripe.Event[] = [];
  for await (const e of stack.stripe.events.list({ limit: 100 })) events.push(e);
  expect(events.length).toBeGreaterThan(0);
  await stack.sql.exec('delete from stripe_events');
  for (const event of events) {
    const body = JSON.stringify(event);
    const signature = await stack.stripe.webhooks.generateTestHeaderStringAsync({
      payload: body,
      secret: stack.config.stripe.webhookSecret!,
    });
    const res = await stack.call('stripe-webhook-handler', { body, headers: { 'stripe-signature': signature } });
    expect(res.status).toBe(200);
  }
}

const alertsOf = (stack: TestStack, c: Customer) =>
  stack.sql.query<{ kind: string; status: string; period_start: Date }>(
    `select a.kind, a.status, c.period_start from usage_alerts a join billing_cycles c on c.id = a.billing_cycle_id
      where a.org_id = $1 order by c.period_start, a.kind`,
    [c.orgId],
  );

/** Every story on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set (docs/conventions.md#tests). */
const DATABASES = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(DATABASES)('%s: usage alerts by e-mail', (database) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('80 %, 100 % and the spend cap: one e-mail each to the owner, however often calls and webhooks repeat', async () => {
    const org = await signUpWithOrganisation(stack, 'Alerted Acme');
    const email = await ownerEmail(stack, org);
    await subscribe(stack, org, 'Starter', 'monthly');
    await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 1_000 } });

    await reportCall(stack, org, 'a-1', 399, '2026-11-03T10:00:00Z');
    await reportCall(stack, org, 'a-2', 1, '2026-11-03T11:00:00Z'); // 400 of 500: 80 %
    await reportCall(stack, org, 'a-2', 1, '2026-11-03T11:00:00Z'); // the agent retried
    await reportCall(stack, org, 'a-3', 100, '2026-11-04T10:00:00Z'); // 500: 100 %
    await reportCall(stack, org, 'a-4', 30, '2026-11-05T10:00:00Z'); // 30 extra minutes: €15 ≥ €10 cap

    await expect
      .poll(async () => subjectsTo(await caughtMail(stack), email), { timeout: 15_000 })
      .toEqual([
        'Alerted Acme has used 80 % of its included minutes',
        'Alerted Acme has used all of its included minutes',
        'Alerted Acme reached its spend cap: new calls are stopped',
      ]);
    // The e-mail gives the cycle's figures when it is sent: here, before any later call.
    const cap = (await caughtMail(stack)).find((m) => m.subject.includes('spend cap'))!;
    expect(cap.text).toContain('530 of 500 included minutes');
    expect(cap.text).toContain('€15.00');
    expect(cap.text).toContain('€10.00');

    await reportCall(stack, org, 'a-5', 5, '2026-11-05T11:00:00Z'); // still counted, no new alert
    // Every subscription webhook again (Stripe redelivers): nothing new is queued.
    await redeliverEveryEvent(stack);
    // Alerts are queued inside the statement that counts the minutes, so none can still be on its way here.
    expect((await alertsOf(stack, org)).map((a) => a.kind)).toEqual([
      'included_100',
      'included_80',
      'spend_cap_reached',
    ]);
    expect(subjectsTo(await caughtMail(stack), email)).toHaveLength(3);

    // The dashboard's summary lists each alert as sent (the mark follows the mail server's answer).
    await expect
      .poll(async () =>
        (await summaryOf(stack, org)).usage_alerts
          .map((a: { kind: string; sent_at: string | null }) => `${a.kind} ${typeof a.sent_at}`)
          .sort(),
      )
      .toEqual(['included_100 string', 'included_80 string', 'spend_cap_reached string']);

    const page = await (await fetch(`${stack.url}/_dev/mail`)).text();
    expect(page).toContain('Alerted Acme reached its spend cap');
  });

  it('across a renewal: the new cycle gets its own alerts, a late call in the old cycle sends none', async () => {
    const org = await signUpWithOrganisation(stack, 'Renewing Rita');
    const email = await ownerEmail(stack, org);
    await subscribe(stack, org, 'Starter', 'monthly');
    await reportCall(stack, org, 'nov-1', 410, '2026-11-10T10:00:00Z'); // November: 82 %
    await expect.poll(async () => subjectsTo(await caughtMail(stack), email), { timeout: 15_000 }).toHaveLength(1);

    await advanceTo(stack, org, '2026-12-01T02:00:00Z');
    // A November call reported late pushes November past 100 %: its cycle is closed, so no e-mail for it.
    const late = await reportCall(stack, org, 'nov-late', 200, '2026-11-30T23:00:00Z');
    expect(late.status).toBe(200);
    expect(late.json.cycle.period_start).toBe('2026-11-01T00:00:00.000Z');
    // December: 80 % again — its own alert.
    await reportCall(stack, org, 'dec-1', 400, '2026-12-05T10:00:00Z');

    await expect
      .poll(async () => (await alertsOf(stack, org)).map((a) => `${a.period_start.toISOString()} ${a.kind}`), {
        timeout: 15_000,
      })
      .toEqual(['2026-11-01T00:00:00.000Z included_80', '2026-12-01T00:00:00.000Z included_80']);
    await expect
      .poll(async () => subjectsTo(await caughtMail(stack), email), { timeout: 15_000 })
      .toEqual([
        'Renewing Rita has used 80 % of its included minutes',
        'Renewing Rita has used 80 % of its included minutes',
      ]);
    const december = (await caughtMail(stack)).filter((m) => m.to.includes(email))[0]!; // newest first
    expect(december.text).toContain('2026-12-01 – 2027-01-01');
  });
});

describe('usage alerts when the mail server is down', () => {
  it('are kept and retried with backoff, then delivered exactly once when it is back', async () => {
    // A port with no server behind it yet: the stack's SMTP_URL points there.
    const probe = await startMailCatcher(0);
    const port = probe.port;
    await probe.close();
    const stack = await startWorld({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const org = await signUpWithOrganisation(stack, 'Outage Olga');
      await subscribe(stack, org, 'Starter', 'monthly');
      await reportCall(stack, org, 'o-1', 450, '2026-11-10T10:00:00Z');
      await expect
        .poll(
          async () =>
            (
              await stack.sql.query<{ attempts: number; last_error: string | null }>(
                `select attempts, last_error from usage_alerts where org_id = $1 and status = 'pending'`,
                [org.orgId],
              )
            )[0]?.attempts ?? 0,
          { timeout: 15_000 },
        )
        .toBeGreaterThanOrEqual(2);
      const [kept] = await stack.sql.query<{ last_error: string }>(
        'select last_error from usage_alerts where org_id = $1',
        [org.orgId],
      );
      expect(kept!.last_error).not.toContain('@'); // why it failed, never the recipient

      const server = await startMailCatcher(port);
      try {
        await expect.poll(() => server.messages().length, { timeout: 30_000 }).toBe(1);
        expect(server.messages()[0]!.subject).toBe('Outage Olga has used 80 % of its included minutes');
        await expect
          .poll(
            async () =>
              (
                await stack.sql.query<{ status: string }>('select status from usage_alerts where org_id = $1', [
                  org.orgId,
                ])
              ).map((a) => a.status),
            { timeout: 10_000 },
          )
          .toEqual(['sent']);
        // A further pass (the schedule's) sends nothing again.
        const pass = await stack.call('deliver-alerts', { token: stack.serviceRoleKey, body: {} });
        expect(pass.json).toEqual({ sent: 0, failed: 0, pending: 0 });
        expect(server.messages()).toHaveLength(1);
      } finally {
        await server.close();
      }
    } finally {
      await stack.close();
    }
  });
});
