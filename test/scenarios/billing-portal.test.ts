/**
 * An owner manages billing on Stripe's customer portal: the dashboard's "Manage billing" opens a portal session
 * for the organisation's customer, the owner cancels there, and the cancellation reaches our rows through the
 * webhook as an end date, the plan running to the end of the paid period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { advanceTo, settled, signUpWithOrganisation, startWorld, subscribe, summaryOf } from './world.ts';

describe('managing billing on Stripe\'s portal', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startWorld(); });
  afterAll(async () => { await stack?.close(); });

  it('a Starter owner opens the portal, cancels, and the dashboard shows the plan ending with its period', async () => {
    const acme = await signUpWithOrganisation(stack, 'Acme Portal');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceTo(stack, acme, '2026-11-10T10:00:00Z');

    const opened = await stack.call<{ portal_url: string }>('create-portal-session', { token: acme.token, body: {} });
    expect(opened.status).toBe(200);
    const portal = await (await fetch(opened.json.portal_url)).text();
    expect(portal).toContain('Starter');
    expect(portal).toContain(`href="${stack.config.websiteUrl}/dashboard"`); // the way back

    const cancel = /action="([^"]*\/cancel\/[^"]+)"/.exec(portal)?.[1];
    expect(cancel).toBeDefined();
    const res = await fetch(new URL(cancel!, opened.json.portal_url), { method: 'POST', redirect: 'manual' });
    await res.arrayBuffer();
    expect(res.status).toBe(303);
    await settled(stack);

    const { subscription } = await summaryOf(stack, acme);
    expect(subscription).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: '2026-12-01T00:00:00.000Z' });

    await advanceTo(stack, acme, '2026-12-01T02:00:00Z');
    expect((await summaryOf(stack, acme)).subscription).toMatchObject({ status: 'canceled' });
  });
});
