/** The protocol a Stripe client relies on: auth, error shapes, idempotency keys, pagination, expand, versions. */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness.ts';

describe('the Stripe protocol', () => {
  const h = useHarness();

  it('refuses a key that is not a test secret key with 401 authentication_error', async () => {
    const wrong = new Stripe('pk_test_publishable', {
      host: h.emulator.host,
      port: h.emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await expect(wrong.customers.list()).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    const res = await fetch(`${h.emulator.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  });

  it('names the unknown or missing parameter in a 400 invalid_request_error', async () => {
    await expect(
      h.stripe.customers.create({ emali: 'typo@x.test' } as Stripe.CustomerCreateParams),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'emali',
    });
    await expect(h.stripe.products.create({} as Stripe.ProductCreateParams)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'name',
    });
  });

  it('answers 404 resource_missing for an unknown id', async () => {
    await expect(h.stripe.customers.retrieve('cus_nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such customer: 'cus_nope'",
    });
    await expect(h.stripe.subscriptions.retrieve('sub_nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('replays an Idempotency-Key with the same params and refuses it with different ones', async () => {
    const first = await h.stripe.customers.create({ email: 'once@x.test' }, { idempotencyKey: 'key-1' });
    const again = await h.stripe.customers.create({ email: 'once@x.test' }, { idempotencyKey: 'key-1' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(
      h.stripe.customers.create({ email: 'other@x.test' }, { idempotencyKey: 'key-1' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    expect((await h.stripe.customers.list({ email: 'once@x.test' })).data).toHaveLength(1);
  });

  it('paginates newest first with limit, starting_after, ending_before and has_more', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++)
      made.push((await h.stripe.products.create({ name: `p${i}`, metadata: { i: String(i) } })).id);
    const newestFirst = [...made].reverse();
    const page1 = await h.stripe.products.list({ limit: 3 });
    expect(page1).toMatchObject({ object: 'list', has_more: true, url: '/v1/products' });
    expect(page1.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 3));
    const page2 = await h.stripe.products.list({ limit: 3, starting_after: page1.data[2]!.id });
    expect(page2.data.map((p) => p.id)).toEqual(newestFirst.slice(3, 6));
    const back = await h.stripe.products.list({ limit: 2, ending_before: page2.data[0]!.id });
    expect(back.data.map((p) => p.id)).toEqual(newestFirst.slice(1, 3));
    expect(back.has_more).toBe(true);
    const all = await h.stripe.products.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((p) => p.id)).toEqual(newestFirst);
    await expect(h.stripe.products.list({ limit: 101 })).rejects.toMatchObject({ statusCode: 400, param: 'limit' });
  });

  it('expands ids into objects, nested ones too', async () => {
    const meter = await h.stripe.billing.meters.create({
      display_name: 'm',
      event_name: 'expand_test',
      default_aggregation: { formula: 'sum' },
    });
    const price = await h.stripe.prices.create({
      currency: 'eur',
      product_data: { name: 'Plan' },
      unit_amount: 100,
      recurring: { interval: 'month' },
    });
    const metered = await h.stripe.prices.create({
      currency: 'eur',
      product_data: { name: 'Usage' },
      billing_scheme: 'tiered',
      tiers_mode: 'volume',
      tiers: [
        { up_to: 10, unit_amount: 5 },
        { up_to: 'inf', unit_amount: 3 },
      ],
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const customer = await h.stripe.customers.create({ email: 'exp@x.test' });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }, { price: metered.id }],
      default_payment_method: 'pm_card_visa',
    });
    const got = await h.stripe.subscriptions.retrieve(sub.id, {
      expand: ['customer', 'latest_invoice', 'items.data.price.tiers', 'items.data.price.product'],
    });
    expect((got.customer as Stripe.Customer).email).toBe('exp@x.test');
    expect(got.latest_invoice as Stripe.Invoice).toMatchObject({ object: 'invoice', status: 'paid', total: 100 });
    const meteredItem = got.items.data.find((i) => i.price.id === metered.id)!;
    expect(meteredItem.price.tiers).toHaveLength(2);
    expect((meteredItem.price.product as Stripe.Product).name).toBe('Usage');
    await expect(h.stripe.subscriptions.retrieve(sub.id, { expand: ['status'] })).rejects.toMatchObject({
      statusCode: 400,
      param: 'expand',
    });
    const list = await h.stripe.subscriptions.list({ customer: customer.id, expand: ['data.latest_invoice'] });
    expect((list.data[0]!.latest_invoice as Stripe.Invoice).id).toBe((got.latest_invoice as Stripe.Invoice).id);
  });

  it('echoes Stripe-Version, defaults to the SDK pin, and answers with livemode false', async () => {
    const c = await h.stripe.customers.create({});
    expect(c.lastResponse.headers['stripe-version']).toBe(Stripe.API_VERSION);
    expect(c.livemode).toBe(false);
    expect(c.id).toMatch(/^cus_[A-Za-z0-9]{24}$/);
    const res = await fetch(`${h.emulator.url}/v1/customers/${c.id}`, {
      headers: { authorization: 'Bearer sk_test_x', 'stripe-version': '2025-03-31.basil' },
    });
    expect(res.headers.get('stripe-version')).toBe('2025-03-31.basil');
  });

  it('decodes nested form keys (metadata, indexed arrays) like Stripe', async () => {
    const res = await fetch(`${h.emulator.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=form%40x.test&metadata[org_id]=org_7&metadata[note]=a+b&expand[]=test_clock',
    });
    expect(await res.json()).toMatchObject({ email: 'form@x.test', metadata: { org_id: 'org_7', note: 'a b' } });
  });
});

describe('payment methods from test tokens', () => {
  const h = useHarness();

  it('attaches a test card as a new pm_ and makes it the invoice default', async () => {
    const customer = await h.stripe.customers.create({
      email: 'card@x.test',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_mastercard' },
    });
    const cards = await h.stripe.paymentMethods.list({ customer: customer.id });
    expect(cards.data.map((p) => p.card?.last4).sort()).toEqual(['4242', '4444']);
    const dpm = customer.invoice_settings.default_payment_method as string;
    expect((await h.stripe.paymentMethods.retrieve(dpm)).card?.brand).toBe('mastercard');
    const attached = await h.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    expect(attached).toMatchObject({ customer: customer.id, card: { last4: '0341' } });
    const detached = await h.stripe.paymentMethods.detach(attached.id);
    expect(detached.customer).toBeNull();
    await expect(h.stripe.paymentMethods.attach('pm_card_unknown', { customer: customer.id })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
