/**
 * Before an owner confirms a switch, change-plan `{preview: true}` says what it costs (Stripe's invoice preview,
 * nothing changed); after a cancellation is scheduled, resume-subscription undoes it (issue 8, item 14).
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
} from './world.ts';

describe('plan change preview and resuming a cancellation', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('previews Starter → Growth on Nov 16: nothing due now, €81.00 for the switch on a €597.00 December invoice; a downgrade waits', async () => {
    const acme = await signUpWithOrganisation(stack, 'Preview Co');
    const { subscriptionId } = await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');
    await reportCall(stack, acme, 'pv-1', 800, '2026-11-10T09:00:00Z');
    await usageDelivered(stack);
    await advanceTo(stack, acme, '2026-11-16T00:00:00Z');

    const before = await stack.stripe.subscriptions.retrieve(subscriptionId);
    const preview = await stack.call('change-plan', {
      token: acme.token,
      body: { plan_id: await planId(stack, 'Growth'), preview: true },
    });
    expect(preview).toMatchObject({
      status: 200,
      json: {
        preview: true,
        effective_at: null,
        due_now_cents: 0,
        currency: 'eur',
        // 366.00 December + 183.00 rest of November on Growth − 102.00 unused Starter + 150.00 Starter extra minutes
        next_invoice: { total_cents: 59_700, date: '2026-12-01T00:00:00.000Z', proration_cents: 8_100 },
      },
    });
    const down = await stack.call('change-plan', {
      token: acme.token,
      body: { plan_id: await planId(stack, 'Starter'), preview: true },
    });
    expect(down).toMatchObject({ status: 409, json: { error: 'already_on_plan' } });
    // Nothing changed at Stripe, no invoice made.
    expect((await stack.stripe.subscriptions.retrieve(subscriptionId)).items.data.map((i) => i.price.id)).toEqual(
      before.items.data.map((i) => i.price.id),
    );
    expect(
      (await stack.call('change-plan', { token: acme.token, body: { plan_id: await planId(stack, 'Growth') } })).status,
    ).toBe(200);
    await settled(stack);
    const downgrade = await stack.call('change-plan', {
      token: acme.token,
      body: { plan_id: await planId(stack, 'Starter'), preview: true },
    });
    expect(downgrade).toMatchObject({
      status: 200,
      json: { effective_at: '2026-12-01T00:00:00.000Z', due_now_cents: 0, next_invoice: null },
    });
    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    expect(euros((await invoicesOf(stack, acme)).at(-1)!.total)).toBe('€597.00');
  });

  it('resume-subscription undoes a cancellation scheduled at the period end; with none scheduled, 409 not_canceling', async () => {
    const beta = await signUpWithOrganisation(stack, 'Resume Co');
    const { subscriptionId } = await subscribe(stack, beta, 'Starter', 'monthly');
    expect(await stack.call('resume-subscription', { token: beta.token, body: {} })).toMatchObject({
      status: 409,
      json: { error: 'not_canceling' },
    });
    await stack.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true }); // as the portal does
    await settled(stack);
    expect((await summaryOf(stack, beta)).subscription).toMatchObject({ cancel_at_period_end: true });

    expect(await stack.call('resume-subscription', { token: beta.token, body: {} })).toMatchObject({
      status: 200,
      json: { resumed: true },
    });
    await settled(stack);
    expect(await stack.stripe.subscriptions.retrieve(subscriptionId)).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
    });
    expect((await summaryOf(stack, beta)).subscription).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    await advanceTo(stack, beta, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, beta)).subscription).toMatchObject({
      status: 'active',
      current_period_start: '2026-12-01T00:00:00.000Z',
    });
  });
});
