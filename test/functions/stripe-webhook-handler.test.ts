/** The webhook route: only events signed with our secret get in; a failure inside is a 5xx for Stripe to retry. */
import { expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { route } from '../../src/http/routes/stripe-webhook-handler.ts';
import { event, realWebhooks, signedEvent, testContext, type TestContext } from '../support/billing-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';

async function deliver(ctx: TestContext, body: string, header: string | undefined) {
  const request = new Request('http://x/functions/v1/stripe-webhook-handler', { method: 'POST', body, headers: header ? { 'stripe-signature': header } : {} });
  try {
    const res = await route.handle({ request, url: new URL(request.url), caller: { kind: 'anonymous' }, rawBody: body, json: undefined, requestId: 'r' }, ctx);
    return { status: res.status, body: await res.json() };
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, body: { error: error.code, message: error.message } };
    throw error;
  }
}

const stripeWithWebhooks = (extra: object = {}) => Object.assign({ webhooks: realWebhooks }, extra);

describeEachDatabase('stripe-webhook-handler', (db) => {
  it('accepts a signed event, records it once and acknowledges types it ignores', async () => {
    const ctx = testContext(db.sql, stripeWithWebhooks());
    const { body, header } = await signedEvent(event('evt_sig', 'customer.created', { id: 'cus_1' }));
    expect(await deliver(ctx, body, header)).toEqual({ status: 200, body: { received: true, ignored: true } });
    expect(await deliver(ctx, body, header)).toEqual({ status: 200, body: { received: true } });
    expect(await db.sql.query('select id, type from stripe_events')).toEqual([{ id: 'evt_sig', type: 'customer.created' }]);
  });

  it.each([
    ['no signature header', async (body: string) => undefined],
    ['a signature made with another secret', async (body: string) => realWebhooks.generateTestHeaderStringAsync({ payload: body, secret: 'whsec_other' })],
    ['a body changed after signing', async (body: string) => (await signedEvent({ ...JSON.parse(body), id: 'evt_other' })).header],
    ['a signature older than 5 minutes', async (body: string) => realWebhooks.generateTestHeaderStringAsync({ payload: body, secret: 'whsec_test_billing_fixtures', timestamp: Math.floor(Date.now() / 1000) - 600 })],
  ])('refuses %s with 400 invalid_signature and records nothing', async (_name, sign) => {
    const ctx = testContext(db.sql, stripeWithWebhooks());
    const body = JSON.stringify(event('evt_bad', 'customer.subscription.updated', { id: 'sub_1' }));
    const res = await deliver(ctx, body, await sign(body));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_signature');
    expect(await db.sql.query('select id from stripe_events')).toEqual([]);
  });

  it('a Stripe outage while applying is thrown to the app (5xx), never acknowledged', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { type: 'StripeConnectionError' });
    const ctx = testContext(db.sql, stripeWithWebhooks({ subscriptions: { retrieve: async () => { throw down; } } }));
    const { body, header } = await signedEvent(event('evt_down', 'customer.subscription.updated', { id: 'sub_1' }));
    await expect(deliver(ctx, body, header)).rejects.toBe(down);
  });
});

