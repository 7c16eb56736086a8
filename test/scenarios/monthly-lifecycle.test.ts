/**
 * Phase 5, "overage", "renewal" and "cancellation" on a monthly Starter plan, month by month on a test clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  invoicesOf,
  linesOf,
  reportCall,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
  type Customer,
} from './world.ts';

describe('a Starter customer through the months', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('overage: 1,234 minutes in November → the December invoice carries €204.00 + €367.00 overage, to the cent', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Overage');
    await subscribe(stack, acme, 'Starter', 'monthly');

    await reportCall(stack, acme, 'nov-call-1', 1_000, '2026-11-10T09:00:00Z');
    const second = await reportCall(stack, acme, 'nov-call-2', 234, '2026-11-20T09:00:00Z');
    expect(second.json.cycle).toMatchObject({ minutes_used: 1_234, overage_minutes: 734, overage_cost_cents: 36_700 });
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      minutes_used: 1_234,
      included_minutes: 500,
      overage_minutes: 734,
      overage_cost_cents: 36_700,
    });
    await usageDelivered(stack);

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');

    const renewal = (await invoicesOf(stack, acme)).at(-1)!;
    expect(renewal.billing_reason).toBe('subscription_cycle');
    expect(renewal.status).toBe('paid');
    expect(linesOf(renewal)).toEqual(
      expect.arrayContaining([
        '1 × AiSyst Starter (at 204.00 EUR / month): €204.00',
        '1234 × AiSyst Starter (at tiered / month): €367.00',
      ]),
    );
    expect(renewal.total).toBe(20_400 + 36_700);
  });

  it('renewal: December opens a new cycle with the minutes reset; November is closed with its invoice', async () => {
    const org = await signUpWithOrganisation(stack, 'Acme Renewal');
    await subscribe(stack, org, 'Starter', 'monthly');
    await reportCall(stack, org, 'renew-nov', 42, '2026-11-15T12:00:00Z');
    await usageDelivered(stack);
    await advanceTo(stack, org, '2026-12-01T02:00:00Z');

    const summary = await summaryOf(stack, org);
    expect(summary.subscription).toMatchObject({
      status: 'active',
      current_period_start: '2026-12-01T00:00:00.000Z',
      current_period_end: '2027-01-01T00:00:00.000Z',
    });
    const cycles = await stack.sql.query<{
      period_start: Date;
      status: string;
      minutes_used: number;
      stripe_invoice_id: string | null;
    }>(
      'select period_start, status, minutes_used, stripe_invoice_id from billing_cycles where org_id = $1 order by period_start',
      [org.orgId],
    );
    const renewal = (await invoicesOf(stack, org)).at(-1)!;
    expect(cycles).toEqual([
      {
        period_start: new Date('2026-11-01T00:00:00Z'),
        status: 'closed',
        minutes_used: 42,
        stripe_invoice_id: renewal.id,
      },
      { period_start: new Date('2026-12-01T00:00:00Z'), status: 'active', minutes_used: 0, stripe_invoice_id: null },
    ]);
    const dec = await reportCall(stack, org, 'renew-dec', 3, '2026-12-02T12:00:00Z');
    expect(dec.json.cycle).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z', minutes_used: 3 });
  });

  it('cancellation at period end: still active until the end of the month, then canceled, no more usage billed', async () => {
    const org = await signUpWithOrganisation(stack, 'Acme Leaving');
    const { subscriptionId } = await subscribe(stack, org, 'Starter', 'monthly');
    await stack.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await advanceTo(stack, org, '2026-11-02T00:00:00Z');
    expect((await summaryOf(stack, org)).subscription).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: '2026-12-01T00:00:00.000Z',
    });

    await advanceTo(stack, org, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, org)).subscription).toMatchObject({ status: 'canceled' });
    const late = await reportCall(stack, org, 'after-the-end', 5, '2026-12-05T00:00:00Z');
    expect([late.status, late.json.error]).toEqual([409, 'no_active_subscription']);
  });

  it('immediate cancellation with invoice_now bills the unbilled usage at once', async () => {
    const org: Customer = await signUpWithOrganisation(stack, 'Acme Now');
    const { subscriptionId } = await subscribe(stack, org, 'Starter', 'monthly');
    await advanceTo(stack, org, '2026-11-15T00:00:00Z');
    await reportCall(stack, org, 'now-1', 600, '2026-11-10T00:00:00Z');
    await usageDelivered(stack);
    await stack.stripe.subscriptions.cancel(subscriptionId, { invoice_now: true });
    await advanceTo(stack, org, '2026-11-15T02:00:00Z');

    expect((await summaryOf(stack, org)).subscription).toMatchObject({ status: 'canceled' });
    const final = (await invoicesOf(stack, org)).at(-1)!;
    expect(linesOf(final)).toContain('600 × AiSyst Starter (at tiered / month): €50.00');
    const cycles = await stack.sql.query('select status from billing_cycles where org_id = $1', [org.orgId]);
    expect(cycles).toEqual([{ status: 'closed' }]);
  });

  it('payment failure: a card that fails on renewal (…0341) makes the subscription past_due; paying with a good card brings it back to active', async () => {
    const org = await signUpWithOrganisation(stack, 'Acme Unlucky');
    await subscribe(stack, org, 'Starter', 'monthly', 'pm_card_chargeCustomerFail');
    expect((await summaryOf(stack, org)).subscription.status).toBe('active');

    await advanceTo(stack, org, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, org)).subscription.status).toBe('past_due');
    const unpaid = (await invoicesOf(stack, org)).at(-1)!;
    expect(unpaid.status).toBe('open');

    await stack.stripe.invoices.pay(unpaid.id!, { payment_method: 'pm_card_visa' });
    await advanceTo(stack, org, '2026-12-01T03:00:00Z');
    expect((await summaryOf(stack, org)).subscription.status).toBe('active');
  });

  it('handled every webhook on its first delivery (no 5xx for Stripe to retry)', () => {
    const deliveries = stack.logs.filter((l) => l.includes('"path":"/functions/v1/stripe-webhook-handler"'));
    expect(deliveries.filter((l) => l.includes('"status":200')).length).toBeGreaterThan(0);
    expect(deliveries.filter((l) => /"status":5\d\d/.test(l))).toEqual([]);
  });
});
