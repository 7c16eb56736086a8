/**
 * An operator changes a customer's plan in Stripe mid-month, swapping both items' prices in place. Stripe bills the
 * minutes used BEFORE the swap through the OLD plan's tiers (an invoice item on the next invoice) and the minutes
 * after it through the NEW plan's tiers, counted from zero
 * (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle). So our month is
 * split at the swap into two cycles, each with the terms its minutes were used under; the dashboard shows the
 * new plan, the cycle since the swap and, until the period is invoiced, the part before it; and the ledger agrees
 * with the December invoice to the cent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import {
  advanceTo,
  euros,
  invoicesOf,
  planId,
  reportCall,
  settled,
  signUpWithOrganisation,
  startWorld,
  subscribe,
  summaryOf,
  usageDelivered,
  type Customer,
} from './world.ts';

describe('a plan change in the middle of the month', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** What the operator does in the Dashboard: each item keeps its id and gets the other plan's price. */
  async function operatorSwitches(subscriptionId: string, toPlan: string) {
    const [prices] = await stack.sql.query<{ stripe_price_id: string; stripe_metered_price_id: string }>(
      'select stripe_price_id, stripe_metered_price_id from billing_plans where id = $1',
      [await planId(stack, toPlan)],
    );
    const sub = await stack.stripe.subscriptions.retrieve(subscriptionId);
    const metered = sub.items.data.find((i) => i.price.recurring?.usage_type === 'metered')!;
    const flat = sub.items.data.find((i) => i.id !== metered.id)!;
    await stack.stripe.subscriptions.update(subscriptionId, {
      items: [
        { id: flat.id, price: prices!.stripe_price_id },
        { id: metered.id, price: prices!.stripe_metered_price_id },
      ],
      proration_behavior: 'create_prorations',
    });
    await settled(stack);
  }

  /** Money the December invoice charges for November's minutes (all metered lines, before and after the swap). */
  async function novemberMinutesOnInvoice(c: Customer) {
    const renewal = (await invoicesOf(stack, c)).at(-1)!;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid' });
    const metered = (
      await stack.sql.query<{ id: string }>('select stripe_metered_price_id as id from billing_plans')
    ).map((p) => p.id);
    const usage = renewal.lines.data.filter((l) => metered.includes(l.pricing?.price_details?.price as string));
    return { renewal, usageCents: usage.reduce((sum, l) => sum + l.amount, 0) };
  }

  async function cycles(c: Customer) {
    return stack.sql.query<{
      period_start: Date;
      status: string;
      minutes_used: number;
      included_minutes: number;
      overage_cost_cents: number;
      stripe_invoice_id: string | null;
    }>(
      `select period_start, status, minutes_used, included_minutes, overage_cost_cents, stripe_invoice_id
         from billing_cycles where org_id = $1 order by period_start`,
      [c.orgId],
    );
  }

  /** November's cycles: split at the change, each billed by the December invoice. */
  const overageCents = (rows: Array<{ overage_cost_cents: number }>) =>
    rows.reduce((sum, c) => sum + Number(c.overage_cost_cents), 0);

  it("upgrade Starter → Growth on Nov 16: 800 minutes before stay Starter overage (€150.00), 1,100 after count against Growth's 1,000 (€50.00)", async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Upgrade');
    const { subscriptionId } = await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');
    await reportCall(stack, acme, 'up-1', 800, '2026-11-10T09:00:00Z');
    await usageDelivered(stack);
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      minutes_used: 800,
      included_minutes: 500,
      overage_minutes: 300,
      overage_cost_cents: 15_000,
    });

    await advanceTo(stack, acme, '2026-11-16T00:00:00Z');
    await operatorSwitches(subscriptionId, 'Growth');
    const upgraded = await summaryOf(stack, acme);
    expect(upgraded.subscription.plan.name).toBe('Growth');
    expect(upgraded.usage).toMatchObject({
      period_start: '2026-11-16T00:00:00.000Z',
      minutes_used: 0,
      included_minutes: 1_000,
      overage_minutes: 0,
    });
    expect(upgraded.usage_earlier_in_period).toEqual([
      {
        // still to be billed with November: the dashboard says so
        period_start: '2026-11-01T00:00:00.000Z',
        period_end: '2026-11-16T00:00:00.000Z',
        minutes_used: 800,
        included_minutes: 500,
        overage_minutes: 300,
        overage_cost_cents: 15_000,
        currency: 'eur',
        invoiced: false,
      },
    ]);

    await advanceTo(stack, acme, '2026-11-20T10:00:00Z');
    await reportCall(stack, acme, 'up-2', 1_100, '2026-11-20T09:00:00Z');
    expect((await summaryOf(stack, acme)).usage).toMatchObject({
      minutes_used: 1_100,
      included_minutes: 1_000,
      overage_minutes: 100,
      overage_cost_cents: 5_000,
    });
    await usageDelivered(stack);

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    const { renewal, usageCents } = await novemberMinutesOnInvoice(acme);
    expect(euros(usageCents)).toBe('€200.00');
    expect(renewal.lines.data.map((l) => l.amount)).toContain(36_600); // December's Growth flat fee, in advance
    const [beforeChange, afterChange, december] = await cycles(acme);
    expect(beforeChange).toMatchObject({
      status: 'closed',
      minutes_used: 800,
      included_minutes: 500,
      overage_cost_cents: 15_000,
      stripe_invoice_id: renewal.id,
    });
    expect(afterChange).toMatchObject({
      status: 'closed',
      period_start: new Date('2026-11-16T00:00:00Z'),
      minutes_used: 1_100,
      included_minutes: 1_000,
      stripe_invoice_id: renewal.id,
    });
    expect(overageCents([beforeChange!, afterChange!])).toBe(usageCents); // our ledger agrees with the invoice, to the cent
    expect(december).toMatchObject({ status: 'active', minutes_used: 0, included_minutes: 1_000 });
    expect((await summaryOf(stack, acme)).usage_earlier_in_period).toEqual([]); // December is a period of its own
  });

  it("downgrade Growth → Starter on Nov 16: 800 minutes before are within Growth's 1,000; 600 after are 100 over Starter's 500 (€50.00)", async () => {
    const beta = await signUpWithOrganisation(stack, 'Beta Downgrade');
    const { subscriptionId } = await subscribe(stack, beta, 'Growth', 'monthly');
    await advanceTo(stack, beta, '2026-11-10T10:00:00Z');
    await reportCall(stack, beta, 'down-1', 800, '2026-11-10T09:00:00Z');
    await usageDelivered(stack);

    await advanceTo(stack, beta, '2026-11-16T00:00:00Z');
    await operatorSwitches(subscriptionId, 'Starter');
    expect((await summaryOf(stack, beta)).subscription.plan.name).toBe('Starter');
    await advanceTo(stack, beta, '2026-11-20T10:00:00Z');
    await reportCall(stack, beta, 'down-2', 600, '2026-11-20T09:00:00Z');
    expect((await summaryOf(stack, beta)).usage).toMatchObject({
      minutes_used: 600,
      included_minutes: 500,
      overage_minutes: 100,
      overage_cost_cents: 5_000,
    });
    await usageDelivered(stack);

    await advanceTo(stack, beta, '2026-12-01T02:00:00Z');
    const { usageCents } = await novemberMinutesOnInvoice(beta);
    expect(euros(usageCents)).toBe('€50.00');
    const [beforeChange, afterChange, december] = await cycles(beta);
    expect(beforeChange).toMatchObject({
      status: 'closed',
      minutes_used: 800,
      included_minutes: 1_000,
      overage_cost_cents: 0,
    });
    expect(afterChange).toMatchObject({
      status: 'closed',
      minutes_used: 600,
      included_minutes: 500,
      overage_cost_cents: 5_000,
    });
    expect(overageCents([beforeChange!, afterChange!])).toBe(usageCents);
    expect(december).toMatchObject({ status: 'active', included_minutes: 500 });
  });
});
