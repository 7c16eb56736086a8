/** The webhook route: only events signed with our secret get in; a failure inside is a 5xx for Stripe to retry. */
import { expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { route } from '../../src/http/routes/stripe-webhook-handler.ts';
import { event, realWebhooks, signedEvent, testContext, type TestContext } from '../support/billing-fixtures.ts';
import { describeEachDatabase } from '../support/database.ts';

async function deliver(ctx: TestContext, body: string, header: string | undefined) {
  const request = new Request('http://x/functions/v1/stripe-webhook-handler', {
    method: 'POST',
    body,
    headers: header ? { 'stripe-signature': header } : {},
  });
  try {
    const res = await route.handle(
      {
        request,
        url: new URL(request.url),
        caller: { kind: 'anonymous' },
        rawBody: body,
        json: undefined,
        requestId: 'r',
      },
      ctx,
    );
    return { status: res.status, body: await res.json() };
  } catch (error) {
    if (error instanceof AppError)
      return { status: error.status, body: { error: error.code, message: error.message, ...error.details } };
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
    expect(await db.sql.query('select id, type from stripe_events')).toEqual([
      { id: 'evt_sig', type: 'customer.created' },
    ]);
  });

  it.each([
    ['no signature header', async (_body: string) => undefined],
    [
      'a signature made with another secret',
      async (body: string) => realWebhooks.generateTestHeaderStringAsync({ payload: body, secret: 'whsec_other' }),
    ],
    [
      'a body changed after signing',
      async (body: string) => (await signedEvent({ ...JSON.parse(body), id: 'evt_other' })).header,
    ],
    [
      'a signature older than 5 minutes',
      async (body: string) =>
        realWebhooks.generateTestHeaderStringAsync({
          payload: body,
          secret: 'whsec_test_billing_fixtures',
          timestamp: Math.floor(Date.now() / 1000) - 600,
        }),
    ],
  ])('refuses %s with 400 invalid_signature and records nothing', async (_name, sign) => {
    const ctx = testContext(db.sql, stripeWithWebhooks());
    const body = JSON.stringify(event('evt_bad', 'customer.subscription.updated', { id: 'sub_1' }));
    const res = await deliver(ctx, body, await sign(body));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_signature');
    expect(await db.sql.query('select id from stripe_events')).toEqual([]);
  });

  it('an event about a subscription Stripe does not know (404 resource_missing) is acknowledged as ignored, once', async () => {
    const missing = Object.assign(new Error("No such subscription: 'sub_gone'"), {
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
    });
    const ctx = testContext(
      db.sql,
      stripeWithWebhooks({
        subscriptions: {
          retrieve: async () => {
            throw missing;
          },
        },
      }),
    );
    const { body, header } = await signedEvent(event('evt_gone', 'customer.subscription.updated', { id: 'sub_gone' }));
    expect(await deliver(ctx, body, header)).toEqual({ status: 200, body: { received: true, ignored: true } });
    expect(await db.sql.query('select id from stripe_events where processed_at is not null')).toEqual([
      { id: 'evt_gone' },
    ]);
    expect(
      ctx.logger.lines.filter(
        (l) =>
          l.includes('Stripe event not ours') && l.includes('evt_gone') && l.includes('customer.subscription.updated'),
      ),
    ).toHaveLength(1);
  });

  const valid = event('evt_shape', 'customer.subscription.updated', { id: 'sub_1' }) as unknown as Record<
    string,
    unknown
  >;
  it.each([
    ['not an object', [valid], 'event'],
    ['no id', { ...valid, id: undefined }, 'id'],
    ['an id with NUL', { ...valid, id: 'evt_\u0000' }, 'id'],
    ['no type', { ...valid, type: undefined }, 'type'],
    ['a type that is not a string', { ...valid, type: 42 }, 'type'],
    ['no created', { ...valid, created: undefined }, 'created'],
    ['created out of range', { ...valid, created: 1e20 }, 'created'],
    ['no data', { ...valid, data: undefined }, 'data'],
    ['data.object null', { ...valid, data: { object: null } }, 'data.object'],
    ['data.object not an object', { ...valid, data: { object: 'sub_1' } }, 'data.object'],
    [
      'a subscription event whose object has no id',
      { ...valid, data: { object: { object: 'subscription' } } },
      'data.object.id',
    ],
    [
      'an invoice event without lines',
      { ...valid, type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice' } } },
      'data.object.lines',
    ],
    [
      'an invoice line without a period',
      { ...valid, type: 'invoice.paid', data: { object: { id: 'in_1', lines: { data: [{ id: 'il_1' }] } } } },
      'data.object.lines.data.period',
    ],
  ])(
    'a signed event with %s is a 400 invalid_request naming the field, and nothing is written',
    async (_name, malformed, field) => {
      const retrieve = async () => {
        throw new Error('must not be called');
      };
      const ctx = testContext(db.sql, stripeWithWebhooks({ subscriptions: { retrieve } }));
      const body = JSON.stringify(malformed);
      const header = await realWebhooks.generateTestHeaderStringAsync({
        payload: body,
        secret: 'whsec_test_billing_fixtures',
      });
      const res = await deliver(ctx, body, header);
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request', field } });
      expect(await db.sql.query('select id from stripe_events')).toEqual([]);
    },
  );

  it('a Stripe outage while applying is thrown to the app (5xx), never acknowledged', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { type: 'StripeConnectionError' });
    const ctx = testContext(
      db.sql,
      stripeWithWebhooks({
        subscriptions: {
          retrieve: async () => {
            throw down;
          },
        },
      }),
    );
    const { body, header } = await signedEvent(event('evt_down', 'customer.subscription.updated', { id: 'sub_1' }));
    await expect(deliver(ctx, body, header)).rejects.toBe(down);
  });
});
