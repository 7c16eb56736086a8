/**
 * The operator console over three months on test clocks (issue 12 §2, proof): Acme (Starter, monthly) and Globex
 * (Growth, yearly) subscribe on 1 June. Acme runs 1,234 minutes in June; in July an outage leaves a backlog and
 * Stripe refuses one call. The console's revenue equals Stripe's paid invoices to the cent, month by month; the
 * backlog and the failed delivery appear and clear with "retry now"; a reconciliation is clean on the healthy run
 * and flags the drift injected afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachDatabaseKind } from '../support/database.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { grantOperatorRole } from '../../src/repositories/operators.ts';
import {
  type Customer,
  invoicesOf,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
} from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';
import { advanceClockTo, deliveredExcept, meterEventBehindOurBack } from '../reconcile/support.ts';

/** A call the deliverer could not send yet (`error`), waiting for its next attempt an hour away — or refused. */
async function callLeftBy(
  stack: TestStack,
  c: Customer,
  callId: string,
  minutes: number,
  iso: string,
  state: 'backlog' | 'refused',
) {
  await stack.sql.transaction(async (tx) => {
    await recordUsage(tx, {
      orgId: c.orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(iso),
    });
    await tx.query(
      state === 'backlog'
        ? `update usage_records set stripe_attempts = 1, stripe_next_attempt_at = now() + interval '1 hour',
             stripe_last_error = 'StripeConnectionError: connect ECONNREFUSED' where call_id = $1`
        : `update usage_records set stripe_attempts = 1, stripe_status = 'failed',
             stripe_last_error = 'StripeAPIError 400: refused' where call_id = $1`,
      [callId],
    );
  });
}

describeOnEachDatabaseKind('an operator watches three months of billing', (database) => {
  let stack: TestStack;
  let acme: Customer;
  let globex: Customer;
  let initech: Customer;
  let operatorToken: string;
  const overview = async () => {
    const res = await stack.call('admin-overview', { token: operatorToken });
    expect(res.status).toBe(200);
    return res.json;
  };
  const act = async (action: string) => {
    const res = await stack.call('admin-actions', { token: operatorToken, body: { action } });
    expect(res.status).toBe(200);
    return res.json.result;
  };

  beforeAll(async () => {
    stack = await startWorld({ database });
    const operator = await stack.signUp();
    await grantOperatorRole(stack.sql, operator.email);
    operatorToken = operator.accessToken;
    acme = await signUpWithOrganisation(stack, 'Acme Calls', '2026-06-01T00:00:00Z');
    globex = await signUpWithOrganisation(stack, 'Globex Voice', '2026-06-01T00:00:00Z');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await subscribe(stack, globex, 'Growth', 'yearly');
    // Initech's card pays at Checkout and is declined from then on (the emulator's pm_card_chargeCustomerFail).
    initech = await signUpWithOrganisation(stack, 'Initech Phones', '2026-06-01T00:00:00Z');
    await subscribe(stack, initech, 'Starter', 'monthly', 'pm_card_chargeCustomerFail');
    await advanceClockTo(stack, acme, '2026-06-25T00:00:00Z');
    await reportCall(stack, acme, 'jun-1', 1_000, '2026-06-10T09:00:00Z');
    await reportCall(stack, acme, 'jun-2', 234, '2026-06-20T09:00:00Z');
    await deliveredExcept(stack, []);
    await advanceClockTo(stack, acme, '2026-07-10T00:00:00Z');
    await advanceClockTo(stack, globex, '2026-07-10T00:00:00Z');
    await advanceClockTo(stack, initech, '2026-07-10T00:00:00Z');
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('July: Initech’s renewal was declined: past due, with the invoice it owes and for how long', async () => {
    const { customers } = await overview();
    expect(customers.by_status).toEqual({ active: 2, past_due: 1 });
    const owed = (await invoicesOf(stack, initech)).find((i) => i.status === 'open')!;
    expect(customers.past_due).toEqual([
      {
        org_id: initech.orgId,
        org_name: 'Initech Phones',
        status: 'past_due',
        stripe_subscription_id: expect.any(String),
        invoice_id: owed.id,
        amount_due_cents: owed.amount_remaining,
        currency: 'eur',
        days_overdue: expect.any(Number),
        invoice_url: owed.hosted_invoice_url,
      },
    ]);
    expect(owed.amount_remaining).toBe(20_400);
    // Finalised about an hour after 1 July, seen from a clock at (at least) the last webhook's time before 10 July.
    expect(customers.past_due[0].days_overdue).toBeGreaterThanOrEqual(1);
    expect(customers.past_due[0].days_overdue).toBeLessThanOrEqual(8);
  });

  it('July: a backlog and a failed delivery appear, and clear with "retry now"', async () => {
    await callLeftBy(stack, acme, 'jul-backlog', 30, '2026-07-05T09:00:00Z', 'backlog');
    await callLeftBy(stack, acme, 'jul-refused', 20, '2026-07-06T09:00:00Z', 'refused');
    const before = (await overview()).pipelines.usage_delivery;
    expect(before).toMatchObject({ pending: 1, failed: 1 });
    expect(before.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
    expect(before.failures.map((f: any) => [f.call_id, f.error])).toEqual([
      ['jul-refused', 'StripeAPIError 400: refused'],
    ]);

    expect(await act('retry_deliveries')).toMatchObject({ requeued_failed: 1, made_due: 1 });
    await deliveredExcept(stack, []);
    expect((await overview()).pipelines.usage_delivery).toMatchObject({
      pending: 0,
      failed: 0,
      oldest_pending_at: null,
    });
  });

  it('August: revenue equals the paid invoices to the cent, month by month', async () => {
    await advanceClockTo(stack, acme, '2026-08-01T02:00:00Z');
    await advanceClockTo(stack, globex, '2026-08-01T02:00:00Z');
    const { revenue } = await overview();

    // From Stripe itself: every paid invoice of the three customers, by the month it was paid.
    const expected = new Map<string, number>();
    for (const c of [acme, globex, initech])
      for (const invoice of await invoicesOf(stack, c)) {
        if (invoice.status !== 'paid') continue;
        const month = new Date(invoice.status_transitions.paid_at! * 1000).toISOString().slice(0, 7);
        expected.set(month, (expected.get(month) ?? 0) + invoice.amount_paid);
      }
    const shown = new Map(revenue.months.filter((m: any) => m.paid_cents > 0).map((m: any) => [m.month, m.paid_cents]));
    expect(shown).toEqual(expected);
    expect([...shown.keys()]).toEqual(['2026-06', '2026-07', '2026-08']);
    // June's 1,234 minutes: 734 over Starter's 500 at €0.50 = €367.00 on the July invoice; July stayed within.
    expect(revenue.months.find((m: any) => m.month === '2026-07').overage_cents).toBe(36_700);
    // July: only Acme's renewal was paid (Globex pays yearly, Initech's was declined): €204.00 + €367.00.
    expect(shown.get('2026-07')).toBe(20_400 + 36_700);
    expect(revenue.months.find((m: any) => m.month === '2026-08').overage_cents).toBe(0);
    // Two Starters at €204 a month (Initech's, past due, is still billed) + Growth's yearly €3,952.80 ÷ 12.
    expect(revenue.mrr).toEqual([{ currency: 'eur', cents: 2 * 20_400 + 32_940 }]);
    expect(revenue.overage_this_month).toEqual([{ currency: 'eur', cents: 0 }]);
  });

  it('reconciliation is clean on the healthy run and flags drift injected afterwards', async () => {
    const healthy = await act('reconcile');
    expect(healthy).toMatchObject({ drifting: 0, unresolved: 0 });
    expect((await overview()).pipelines.reconciliation).toMatchObject({ drifting: 0, drift: [] });

    await meterEventBehindOurBack(stack, acme, 'not-ours-aug', 7, '2026-08-01T01:00:00Z');
    expect(await act('reconcile')).toMatchObject({ drifting: 1, unresolved: 1 });
    const { reconciliation } = (await overview()).pipelines;
    expect(reconciliation.drift).toEqual([
      expect.objectContaining({
        stripe_customer_id: acme.customerId,
        window_start: '2026-08-01T00:00:00.000Z',
        ledger_minutes: 0,
        stripe_meter_minutes: 7,
        meter_difference_minutes: 7,
        status: 'drift',
      }),
    ]);
  });
});
