/** The lifecycle the conformance test records: one customer from catalog to cancellation, on a test clock. */
import type Stripe from 'stripe';
import { createCatalog } from '../catalog.ts';
import { advanceClock, completeCheckout, DAY, FEB_1_2027, JAN_1_2027 } from '../harness.ts';

/** Walks a lifecycle that touches every object kind and most of their states. */
export async function lifecycle(stripe: Stripe, receiverUrl: string): Promise<void> {
  await stripe.webhookEndpoints.create({ url: receiverUrl, enabled_events: ['*'] });
  const catalog = await createCatalog(stripe);
  await stripe.products.update(catalog.setupFee.product as string, { description: 'Once, at sign-up' });
  await stripe.prices.list({ lookup_keys: ['aisyst_starter_monthly'], expand: ['data.product'] });
  await stripe.billing.meters.list();
  await stripe.billing.meters.retrieve(catalog.meter.id);
  await stripe.prices.update(catalog.setupFee.id, { metadata: { kind: 'setup' } });
  await stripe.prices.retrieve(catalog.starterMetered.id, { expand: ['tiers'] });

  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: JAN_1_2027, name: 'conformance' });
  const customer = await stripe.customers.create({
    email: 'owner@acme.test',
    name: 'Acme',
    test_clock: clock.id,
    metadata: { org_id: 'org_1' },
  });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    success_url: 'http://app.test/ok',
    cancel_url: 'http://app.test/pricing',
    line_items: [
      { price: catalog.starterMonthly.id, quantity: 1 },
      { price: catalog.starterMetered.id },
      { price: catalog.setupFee.id, quantity: 1 },
    ],
    subscription_data: { metadata: { org_id: 'org_1' } },
    metadata: { org_id: 'org_1' },
  });
  await stripe.checkout.sessions.listLineItems(session.id);
  const abandoned = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer_email: 'later@acme.test',
    success_url: 'http://app.test/ok',
    line_items: [{ price: catalog.starterYearly.id, quantity: 1 }],
  });
  await stripe.checkout.sessions.expire(abandoned.id);
  await completeCheckout(stripe, session.id, 'pm_card_chargeCustomerFail'); // pays now, fails at renewal
  const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
  const subId = done.subscription as string;
  await stripe.checkout.sessions.list({ customer: customer.id });
  const sub = await stripe.subscriptions.retrieve(subId, {
    expand: ['latest_invoice', 'customer', 'items.data.price.product'],
  });
  await stripe.subscriptionItems.list({ subscription: subId });
  await stripe.invoices.listLineItems((sub.latest_invoice as Stripe.Invoice).id as string);
  await stripe.customers.retrieve(customer.id);
  await stripe.paymentMethods.list({ customer: customer.id });
  await stripe.customers.update(customer.id, { name: 'Acme GmbH', email: 'billing@acme.test' });
  await stripe.customers.list({ email: 'billing@acme.test' });
  await stripe.customers.del((await stripe.customers.create({ name: 'Gone' })).id);

  await advanceClock(stripe, clock.id, JAN_1_2027 + 10 * DAY);
  await stripe.billing.meterEvents.create({
    event_name: 'voice_call_minutes',
    identifier: 'call_1',
    timestamp: JAN_1_2027 + 3600,
    payload: { stripe_customer_id: customer.id, value: '612' },
  });
  await stripe.billing.meterEvents.create({
    event_name: 'voice_call_minutes',
    identifier: 'call_1_twice',
    timestamp: JAN_1_2027 + 7200,
    payload: { stripe_customer_id: customer.id, value: '5' },
  });
  await stripe.billing.meterEventAdjustments.create({
    event_name: 'voice_call_minutes',
    type: 'cancel',
    cancel: { identifier: 'call_1_twice' },
  });
  await stripe.billing.meters.listEventSummaries(catalog.meter.id, {
    customer: customer.id,
    start_time: JAN_1_2027,
    end_time: FEB_1_2027,
  });
  await stripe.v2.billing.meterEventSession.create();
  await stripe.subscriptions.update(subId, { metadata: { plan: 'starter' }, cancel_at_period_end: true });
  await stripe.subscriptions.update(subId, { cancel_at_period_end: false });
  const flat = sub.items.data.find((i) => i.price.id === catalog.starterMonthly.id)!;
  await stripe.subscriptionItems.update(flat.id, { quantity: 2, proration_behavior: 'create_prorations' });
  await stripe.subscriptions.update(subId, {
    items: [{ id: flat.id, quantity: 1 }],
    proration_behavior: 'always_invoice',
  });
  const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subId });
  const phase = schedule.phases[0]!; // a change at the period end, as a downgrade is made; then released again
  await stripe.subscriptionSchedules.update(schedule.id, {
    phases: [
      {
        items: phase.items.map((i) => ({ price: i.price as string, ...(i.quantity ? { quantity: i.quantity } : {}) })),
        start_date: phase.start_date,
        end_date: phase.end_date,
      },
      {
        items: [{ price: catalog.starterMonthly.id, quantity: 1 }, { price: catalog.starterMetered.id }],
        duration: { interval: 'month', interval_count: 1 },
      },
    ],
  });
  await stripe.subscriptionSchedules.list({ customer: customer.id });
  await stripe.subscriptionSchedules.release(schedule.id);

  await advanceClock(stripe, clock.id, FEB_1_2027 + 2 * 3600); // renewal drafted, charged an hour later: declined
  const failed = await stripe.invoices.list({ subscription: subId, status: 'open' });
  await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://app.test/dashboard' });
  await stripe.invoices.pay(failed.data[0]!.id as string, { payment_method: 'pm_card_visa' });
  await stripe.subscriptions.list({ customer: customer.id, status: 'all' });
  await stripe.invoices.retrieve(failed.data[0]!.id as string, { expand: ['customer'] });
  await stripe.invoices.list({ customer: customer.id, limit: 100 });
  const first = (sub.latest_invoice as Stripe.Invoice).id as string; // €453 paid at Checkout: give the setup fee back
  const note = await stripe.creditNotes.create({
    invoice: first,
    amount: 24_900,
    refund_amount: 24_900,
    reason: 'duplicate',
  });
  await stripe.creditNotes.list({ invoice: first });
  const refund = note.refunds[0]!.refund;
  await stripe.refunds.retrieve(typeof refund === 'string' ? refund : refund.id);
  await stripe.refunds.list();

  await stripe.subscriptions.update(subId, { cancel_at_period_end: true });
  await stripe.subscriptions.cancel(subId, { invoice_now: true });
  const events = await stripe.events.list({ limit: 100 });
  await stripe.events.retrieve(events.data[0]!.id);
  await stripe.webhookEndpoints.list();
  await stripe.testHelpers.testClocks.del(clock.id);
}
