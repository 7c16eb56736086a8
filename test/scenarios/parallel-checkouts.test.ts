/**
 * Issue 8, defect 1, on PostgreSQL (real concurrency; PGlite runs one transaction at a time): many
 * create-checkout-session requests at once for one organisation, and the customer tries to pay EVERY session they
 * were handed with a valid card. Exactly one may be paid: one paid invoice, one subscription, no refund needed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import type { TestStack } from '../support/stack.ts';
import { invoicesOf, payAtCheckout, planId, settled, signUpWithOrganisation, startWorld } from './world.ts';

describeOnPostgres('racing checkouts of one organisation, on PostgreSQL', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database: 'postgres' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('12 requests at once, every returned session tried with a valid card: exactly one paid invoice', async () => {
    const org = await signUpWithOrganisation(stack, 'Twelve Tabs Ltd');
    const starter = await planId(stack, 'Starter');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        stack.call<{ session_id: string; checkout_url: string }>('create-checkout-session', {
          token: org.token,
          body: { plan_id: starter, billing_period: 'monthly' },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    const sessions = [...new Set(answers.map((a) => a.json.session_id))];
    expect(sessions).toHaveLength(1); // a repeat for the same plan and period answers the same open session
    const paid = (await Promise.all(sessions.map((id) => payAtCheckout(stack, id)))).filter((status) => status === 200);
    await settled(stack);

    expect(paid).toHaveLength(1);
    expect((await invoicesOf(stack, org)).filter((i) => i.status === 'paid')).toHaveLength(1);
    const subs = (await stack.stripe.subscriptions.list({ customer: org.customerId, status: 'all' })).data;
    expect(subs.map((s) => s.status)).toEqual(['active']);
    expect(stack.logs.filter((l) => l.includes('duplicate subscription'))).toEqual([]);
  });

  it('racing requests for two different plans: still at most one payable session', async () => {
    const org = await signUpWithOrganisation(stack, 'Undecided Ltd');
    const [starter, growth] = [await planId(stack, 'Starter'), await planId(stack, 'Growth')];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack.call<{ session_id: string }>('create-checkout-session', {
          token: org.token,
          body: { plan_id: i % 2 ? starter : growth, billing_period: i % 3 ? 'monthly' : 'yearly' },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    const open = await stack.stripe.checkout.sessions.list({ customer: org.customerId, status: 'open', limit: 100 });
    expect(open.data).toHaveLength(1);
    const sessions = [...new Set(answers.map((a) => a.json.session_id))];
    const paid = (await Promise.all(sessions.map((id) => payAtCheckout(stack, id)))).filter((status) => status === 200);
    expect(paid).toHaveLength(1);
    expect((await invoicesOf(stack, org)).filter((i) => i.status === 'paid')).toHaveLength(1);
  });
});
