/**
 * An owner switches plans themselves (POST change-plan), mid-month, on the emulator: Stripe prorates the flat fee
 * on the next invoice and bills the minutes before the switch through the old plan's tiers; our webhook splits the
 * month at the switch. The December invoice and our ledger agree to the cent. A past-due subscription must pay
 * first; a yearly subscription switches both its yearly fee and its monthly metered price.
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

describe('an owner changes plan online', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const changePlan = async (c: Customer, plan: string) =>
    stack.call<Record<string, unknown>>('change-plan', {
      token: c.token,
      body: { plan_id: await planId(stack, plan) },
    });

  it('Starter → Growth on Nov 16: the December invoice credits half of Starter, charges half of Growth and bills the 300 Starter extra minutes: €597.00', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Switch');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');
    await reportCall(stack, acme, 'sw-1', 800, '2026-11-10T09:00:00Z');
    await usageDelivered(stack);

    await advanceTo(stack, acme, '2026-11-16T00:00:00Z');
    const switched = await changePlan(acme, 'Growth');
    expect(switched).toMatchObject({
      status: 200,
      json: { plan_id: await planId(stack, 'Growth'), billing_period: 'monthly', changed: true },
    });
    await settled(stack); // the switch's webhook has landed

    const summary = await summaryOf(stack, acme);
    expect(summary.subscription.plan.name).toBe('Growth');
    expect(summary.usage).toMatchObject({
      period_start: '2026-11-16T00:00:00.000Z',
      minutes_used: 0,
      included_minutes: 1_000,
    });
    expect(summary.usage_earlier_in_period).toMatchObject([
      { minutes_used: 800, overage_minutes: 300, overage_cost_cents: 15_000 },
    ]);
    expect(await changePlan(acme, 'Growth')).toMatchObject({ status: 409, json: { error: 'already_on_plan' } });

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    const renewal = (await invoicesOf(stack, acme)).at(-1)!;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid' });
    // 366.00 December + 183.00 rest of November on Growth − 102.00 unused Starter + 150.00 Starter extra minutes
    expect(euros(renewal.total)).toBe('€597.00');
    const cycles = await stack.sql.query<{ overage_cost_cents: number; stripe_invoice_id: string | null }>(
      `select overage_cost_cents, stripe_invoice_id from billing_cycles where org_id = $1 and period_start < '2026-12-01' order by period_start`,
      [acme.orgId],
    );
    expect(cycles.map((c) => [Number(c.overage_cost_cents), c.stripe_invoice_id])).toEqual([
      [15_000, renewal.id],
      [0, renewal.id],
    ]);
  });

  it('a subscription whose payment failed must pay first: 409 subscription_not_active, nothing changes at Stripe', async () => {
    const late = await signUpWithOrganisation(stack, 'Late Payer');
    const { subscriptionId } = await subscribe(stack, late, 'Starter', 'monthly', 'pm_card_chargeCustomerFail');
    await advanceTo(stack, late, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, late)).subscription.status).toBe('past_due');
    const before = await stack.stripe.subscriptions.retrieve(subscriptionId);
    expect(await changePlan(late, 'Enterprise')).toMatchObject({
      status: 409,
      json: { error: 'subscription_not_active' },
    });
    expect((await stack.stripe.subscriptions.retrieve(subscriptionId)).items.data.map((i) => i.price.id)).toEqual(
      before.items.data.map((i) => i.price.id),
    );
  });

  it("yearly Starter → Growth: the yearly fee and the monthly metered item both take Growth's prices", async () => {
    const yearly = await signUpWithOrganisation(stack, 'Yearly Switch');
    const { subscriptionId } = await subscribe(stack, yearly, 'Starter', 'yearly');
    await advanceTo(stack, yearly, '2026-11-10T00:00:00Z');
    expect(await changePlan(yearly, 'Growth')).toMatchObject({
      status: 200,
      json: { billing_period: 'yearly', changed: true },
    });
    await settled(stack);
    const [growth] = await stack.sql.query<{ stripe_yearly_price_id: string; stripe_metered_price_id: string }>(
      'select stripe_yearly_price_id, stripe_metered_price_id from billing_plans where id = $1',
      [await planId(stack, 'Growth')],
    );
    const sub = await stack.stripe.subscriptions.retrieve(subscriptionId);
    expect(sub.items.data.map((i) => i.price.id).sort()).toEqual(
      [growth!.stripe_yearly_price_id, growth!.stripe_metered_price_id].sort(),
    );
    expect((await summaryOf(stack, yearly)).subscription).toMatchObject({
      plan: { name: 'Growth' },
      billing_period: 'yearly',
    });
  });
});
