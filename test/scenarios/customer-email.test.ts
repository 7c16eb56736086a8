/**
 * Issue 8, defect 11: the Stripe customer carries the owner's sign-up e-mail, so Checkout does not ask for it and
 * Stripe's receipts and invoice e-mails reach the owner; after the owner changes it, the next checkout or portal
 * session brings the new one to Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStack } from '../support/stack.ts';
import { payAtCheckout, planId, startWorld } from './world.ts';

describe("the Stripe customer's e-mail", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("is the owner's sign-up e-mail, on the customer, the Checkout Session and the invoice; a change follows at the portal", async () => {
    const { accessToken, userId, email } = await stack.signUp();
    const org = await stack.createOrganisation(accessToken, 'Mail Me Ltd');
    const checkout = await stack.call<{ session_id: string }>('create-checkout-session', {
      token: accessToken,
      body: { plan_id: await planId(stack, 'Starter'), billing_period: 'monthly' },
    });
    expect(checkout.status).toBe(200);
    const session = await stack.stripe.checkout.sessions.retrieve(checkout.json.session_id);
    expect(session.customer_details?.email).toBe(email);
    const customerId = session.customer as string;
    expect(await stack.stripe.customers.retrieve(customerId)).toMatchObject({
      email,
      name: 'Mail Me Ltd',
      metadata: { org_id: org.id },
    });

    expect(await payAtCheckout(stack, session.id)).toBe(200);
    const invoice = (await stack.stripe.invoices.list({ customer: customerId })).data[0]!;
    expect(invoice.customer_email).toBe(email);

    await stack.sql.query(`update auth.users set email = 'finance@mail-me.test' where id = $1`, [userId]); // changed in Supabase Auth
    expect((await stack.call('create-portal-session', { token: accessToken, body: {} })).status).toBe(200);
    expect(await stack.stripe.customers.retrieve(customerId)).toMatchObject({ email: 'finance@mail-me.test' });
  });
});
