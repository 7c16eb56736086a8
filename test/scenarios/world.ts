/**
 * The world the billing scenarios happen in: the whole local stack (functions, PGlite or PostgreSQL, the Stripe
 * emulator delivering signed webhooks) and the steps of a customer's story in the words of the original plan.
 * Time is a Stripe test clock per customer: a customer is created on its clock before Checkout
 * (docs/design.md#test-clocks), exactly as one would in Stripe test mode, and saved as the organisation's customer.
 */
import type Stripe from 'stripe';
import { expect } from 'vitest';
import { startTestStack, type TestStack, type TestStackOptions } from '../support/stack.ts';

export const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
export const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;

export async function startWorld(opts: TestStackOptions = {}): Promise<TestStack> {
  return startTestStack({ emulator: { webhookRetryScheduleMs: [50, 100, 200, 400] }, ...opts });
}

export interface Customer {
  token: string;
  userId: string;
  orgId: string;
  clock: Stripe.TestHelpers.TestClock;
  customerId: string;
}

/** Sign up, create the organisation, and (as test mode requires for time travel) its customer on a test clock. */
export async function signUpWithOrganisation(
  stack: TestStack,
  name: string,
  startsAt = '2026-11-01T00:00:00Z',
): Promise<Customer> {
  const { accessToken, userId } = await stack.signUp();
  const org = await stack.createOrganisation(accessToken, name);
  const clock = await stack.stripe.testHelpers.testClocks.create({ frozen_time: at(startsAt), name });
  const customer = await stack.stripe.customers.create({ test_clock: clock.id, name, metadata: { org_id: org.id } });
  await stack.sql.query('update organisations set stripe_customer_id = $1 where id = $2', [customer.id, org.id]);
  return { token: accessToken, userId, orgId: org.id, clock, customerId: customer.id };
}

export async function planId(stack: TestStack, name: string): Promise<string> {
  const res = await stack.call<{ plans: Array<{ id: string; name: string }> }>('plans');
  const plan = res.json.plans.find((p) => p.name === name);
  if (!plan) throw new Error(`no plan ${name}`);
  return plan.id;
}

/**
 * What the hosted Checkout page does when the customer enters a card (the emulator's test helper,
 * packages/stripe-emulator/README.md).
 */
export async function payAtCheckout(
  stack: TestStack,
  sessionId: string,
  paymentMethod = 'pm_card_visa',
): Promise<number> {
  const res = await fetch(`${stack.emulator!.url}/v1/test_helpers/checkout/sessions/${sessionId}/complete`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.config.stripe.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ payment_method: paymentMethod }).toString(),
  });
  await res.arrayBuffer();
  await settled(stack);
  return res.status;
}

/** Buy a plan through our API and pay on the (emulated) hosted page. */
export async function subscribe(
  stack: TestStack,
  c: Customer,
  plan: string,
  period: 'monthly' | 'yearly',
  card = 'pm_card_visa',
) {
  const checkout = await stack.call<{ checkout_url: string; session_id: string }>('create-checkout-session', {
    token: c.token,
    body: { plan_id: await planId(stack, plan), billing_period: period },
  });
  expect(checkout.status).toBe(200);
  expect(await payAtCheckout(stack, checkout.json.session_id, card)).toBe(200);
  const session = await stack.stripe.checkout.sessions.retrieve(checkout.json.session_id);
  return { sessionId: checkout.json.session_id, subscriptionId: session.subscription as string };
}

/** Until every webhook (retries included) and clock advance has been handled. */
export async function settled(stack: TestStack): Promise<void> {
  await stack.emulator!.waitForIdle();
}

/** Move the customer's test clock forward (at most two months a step, as Stripe allows) and let Stripe work. */
export async function advanceTo(stack: TestStack, c: Customer, iso: string): Promise<void> {
  await stack.stripe.testHelpers.testClocks.advance(c.clock.id, { frozen_time: at(iso) });
  await expect
    .poll(async () => (await stack.stripe.testHelpers.testClocks.retrieve(c.clock.id)).status, { timeout: 30_000 })
    .toBe('ready');
  await settled(stack);
}

export async function reportCall(stack: TestStack, c: Customer, callId: string, minutes: number, endedAt: string) {
  return stack.call('report-usage', {
    token: stack.serviceRoleKey,
    body: { org_id: c.orgId, call_id: callId, call_duration_minutes: minutes, ended_at: endedAt },
  });
}

export async function summaryOf(stack: TestStack, c: Customer) {
  const res = await stack.call('billing-summary', { token: c.token });
  expect(res.status).toBe(200);
  return res.json;
}

/** Until the usage deliverer has sent every billable call to Stripe's meter. */
export async function usageDelivered(stack: TestStack): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await stack.sql.query<{ n: number }>(
            `select count(*)::int as n from usage_records where stripe_status = 'pending'`,
          )
        )[0]!.n,
      { timeout: 30_000 },
    )
    .toBe(0);
}

export async function invoicesOf(stack: TestStack, c: Customer): Promise<Stripe.Invoice[]> {
  const list = await stack.stripe.invoices.list({ customer: c.customerId, limit: 100 });
  return [...list.data].sort((a, b) => a.created - b.created);
}

/** An invoice's lines as "description: €amount", the way a person reads it. */
export const linesOf = (invoice: Stripe.Invoice) =>
  invoice.lines.data.map((l) => `${l.description}: ${euros(l.amount)}`);
