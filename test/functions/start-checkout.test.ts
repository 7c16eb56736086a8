/**
 * create-checkout-session on a scripted Stripe: what the session is asked for, what is refused before Stripe is
 * called, and that a Stripe failure leaves nothing half-written.
 */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/create-checkout-session.ts';
import type { Sql } from '../../src/ports/sql.ts';
import {
  priceIds,
  seedCatalog,
  SETUP_FEE_PRICE,
  stripeError,
  testContext,
  type TestContext,
} from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

interface FakeSession {
  id: string;
  object: 'checkout.session';
  status: string;
  url: string | null;
  metadata: Record<string, string>;
}

function fakeStripe(
  opts: {
    failSession?: boolean;
    failCustomer?: boolean;
    failCustomerUpdate?: boolean;
    openSessions?: Array<string | FakeSession>;
    completedMeanwhile?: string[];
  } = {},
) {
  const calls = {
    customers: [] as Array<{ params: any; key?: string }>,
    sessions: [] as any[],
    listed: [] as any[],
    expired: [] as string[],
  };
  const updates: Array<{ id: string; params: any }> = [];
  const open: FakeSession[] = (opts.openSessions ?? []).map((s) =>
    typeof s === 'string'
      ? { id: s, object: 'checkout.session', status: 'open', url: `https://checkout.example/${s}`, metadata: {} }
      : s,
  );
  const byKey = new Map<string, FakeSession>();
  return {
    calls,
    updates,
    stripe: {
      customers: {
        async create(params: unknown, o?: { idempotencyKey?: string }) {
          calls.customers.push({ params, key: o?.idempotencyKey });
          if (opts.failCustomer) throw stripeError('StripeConnectionError', undefined, 'connect ECONNREFUSED');
          return { id: 'cus_new', object: 'customer' };
        },
        async update(id: string, params: unknown) {
          if (opts.failCustomerUpdate) throw stripeError('StripeConnectionError', undefined, 'connect ECONNREFUSED');
          updates.push({ id, params });
          return { id, object: 'customer' };
        },
      },
      checkout: {
        sessions: {
          async create(params: { metadata: Record<string, string> }, o?: { idempotencyKey?: string }) {
            calls.sessions.push(params);
            if (opts.failSession) throw stripeError('StripeInvalidRequestError', 400, 'No such price');
            const replay = o?.idempotencyKey ? byKey.get(o.idempotencyKey) : undefined;
            // As the SDK hands it back: the first answer again, marked by Stripe's Idempotent-Replayed header.
            if (replay)
              return Object.defineProperty(structuredClone(replay), 'lastResponse', {
                value: { headers: { 'idempotent-replayed': 'true' } },
              });
            const id = `cs_${calls.sessions.length}`;
            const session: FakeSession = {
              id,
              object: 'checkout.session',
              status: 'open',
              url: `https://checkout.example/${id}`,
              metadata: params.metadata,
            };
            open.push(session);
            if (o?.idempotencyKey) byKey.set(o.idempotencyKey, structuredClone(session));
            return session;
          },
          async list(params: unknown) {
            calls.listed.push(params);
            return { object: 'list', has_more: false, data: open.filter((s) => s.status === 'open') };
          },
          async retrieve(id: string) {
            const s = open.find((x) => x.id === id);
            if (opts.completedMeanwhile?.includes(id)) return { id, object: 'checkout.session', status: 'complete' };
            return s ?? { id, object: 'checkout.session', status: 'expired' };
          },
          async expire(id: string) {
            calls.expired.push(id);
            if (opts.completedMeanwhile?.includes(id)) {
              throw stripeError(
                'StripeInvalidRequestError',
                400,
                'Only Checkout Sessions with a status of `open` can be expired.',
              );
            }
            const s = open.find((x) => x.id === id);
            if (s) Object.assign(s, { status: 'expired', url: null });
            return { id, object: 'checkout.session', status: 'expired' };
          },
        },
      },
    },
  };
}

const checkout = (ctx: TestContext, userId: string, json: unknown) =>
  handleRoute(route, ctx, { caller: { kind: 'user', userId, email: undefined }, json });

const customerOf = async (sql: Sql, orgId: string) =>
  (
    await sql.query<{ c: string | null }>('select stripe_customer_id as c from organisations where id = $1', [orgId])
  )[0]!.c;

describeEachDatabase('create-checkout-session', (db) => {
  it('monthly: flat price, metered price without quantity and the setup fee, for a new customer tagged with the org', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId, email } = await createUserAndOrganisation(db.sql, { orgName: 'Acme' });
    const fake = fakeStripe();
    const res = await checkout(testContext(db.sql, fake.stripe), userId, {
      plan_id: plans.starter,
      billing_period: 'monthly',
    });
    expect(res).toEqual({ status: 200, body: { checkout_url: 'https://checkout.example/cs_1', session_id: 'cs_1' } });
    // Issue 8, defect 11: the owner's sign-up e-mail is on the customer, so receipts and invoices reach them.
    expect(fake.calls.customers).toEqual([
      {
        params: { name: 'Acme', email, metadata: { org_id: orgId } },
        key: expect.stringMatching(new RegExp(`^customer-${orgId}-[0-9a-f]{16}$`)),
      },
    ]);
    const meta = { org_id: orgId, plan_id: plans.starter, billing_period: 'monthly' };
    expect(fake.calls.sessions[0]).toEqual({
      mode: 'subscription',
      customer: 'cus_new',
      client_reference_id: orgId,
      line_items: [
        { price: priceIds('starter').monthly, quantity: 1 },
        { price: priceIds('starter').metered },
        { price: SETUP_FEE_PRICE, quantity: 1 },
      ],
      subscription_data: { metadata: meta },
      metadata: meta,
      success_url: 'http://127.0.0.1:54321/dashboard?payment=success&session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://127.0.0.1:54321/pricing?payment=cancelled',
    });
    expect(await customerOf(db.sql, orgId)).toBe('cus_new');
  });

  it('yearly: the yearly flat price and the setup fee only (the metered item is added by the webhook); the customer is reused', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe();
    await checkout(testContext(db.sql, fake.stripe), userId, {
      plan_id: plans.growth,
      billing_period: 'yearly',
      org_id: orgId,
    });
    expect(fake.calls.customers).toEqual([]);
    expect(fake.calls.sessions[0]).toMatchObject({
      customer: 'cus_existing',
      line_items: [
        { price: priceIds('growth').yearly, quantity: 1 },
        { price: SETUP_FEE_PRICE, quantity: 1 },
      ],
      subscription_data: { metadata: { billing_period: 'yearly', plan_id: plans.growth } },
    });
  });

  it("expires the customer's open sessions of other plans before opening a new one, so at most one can be paid", async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe({ openSessions: ['cs_old'] }); // the user opened Checkout in another tab, outside our records
    const res = await checkout(testContext(db.sql, fake.stripe), userId, {
      plan_id: plans.starter,
      billing_period: 'monthly',
    });
    expect(res.status).toBe(200);
    expect(fake.calls.listed).toEqual([{ customer: 'cus_existing', status: 'open', limit: 100 }]);
    expect(fake.calls.expired).toEqual(['cs_old']);
    expect(fake.calls.sessions).toHaveLength(1);
  });

  it('the same plan and period twice answers the same open session; another plan expires it before the new one exists', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe();
    const ctx = testContext(db.sql, fake.stripe);
    const first = await checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'monthly' });
    const again = await checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'monthly' });
    expect(again).toEqual(first);
    expect(fake.calls.sessions).toHaveLength(1);
    expect(fake.calls.expired).toEqual([]);

    const yearly = await checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'yearly' });
    expect(fake.calls.expired).toEqual([first.body.session_id]);
    expect(yearly.body.session_id).not.toBe(first.body.session_id);
    const growth = await checkout(ctx, userId, { plan_id: plans.growth, billing_period: 'yearly' });
    expect(fake.calls.expired).toEqual([first.body.session_id, yearly.body.session_id]);
    const recorded = await db.sql.query(
      'select stripe_session_id from checkout_sessions where org_id = $1 order by created_at',
      [orgId],
    );
    expect(recorded).toEqual([first, yearly, growth].map((r) => ({ stripe_session_id: r.body.session_id })));
  });

  it("the session recorded last is expired even when Stripe's list does not show it yet", async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe();
    const ctx = testContext(db.sql, fake.stripe);
    const first = await checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'monthly' });
    const list = fake.stripe.checkout.sessions.list;
    fake.stripe.checkout.sessions.list = async (params: unknown) => ({ ...(await list(params)), data: [] }); // a lagging list
    await checkout(ctx, userId, { plan_id: plans.growth, billing_period: 'monthly' });
    expect(fake.calls.expired).toEqual([first.body.session_id]);
  });

  it("a process that died after Stripe's create: the next request finds that session, or Stripe replays it, never a second payable one", async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe();
    const ctx = testContext(db.sql, fake.stripe);
    const crashAfterStripe = () => db.sql.query('delete from checkout_sessions'); // as if our commit never happened
    const starter = { plan_id: plans.starter, billing_period: 'monthly' };
    const first = await checkout(ctx, userId, starter);
    await crashAfterStripe();
    const list = fake.stripe.checkout.sessions.list;
    fake.stripe.checkout.sessions.list = async (params: unknown) => ({ ...(await list(params)), data: [] }); // and Stripe's list lags
    expect((await checkout(ctx, userId, starter)).body.session_id).toBe(first.body.session_id); // replayed under the same key
    fake.stripe.checkout.sessions.list = list;

    // Twice more: the replay under the first key is the session expired meanwhile, so a fresh one is made.
    await crashAfterStripe();
    const growth = await checkout(ctx, userId, { plan_id: plans.growth, billing_period: 'monthly' });
    await crashAfterStripe();
    const back = await checkout(ctx, userId, starter);
    expect(fake.calls.expired).toEqual([first.body.session_id, growth.body.session_id]);
    expect([first.body.session_id, growth.body.session_id]).not.toContain(back.body.session_id);
    const open = (await fake.stripe.checkout.sessions.list({})).data;
    expect(open.map((s) => s.id)).toEqual([back.body.session_id]);
  });

  it('a session paid between the list and the expire: 409 already_subscribed, no new session', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe({ openSessions: ['cs_paid'], completedMeanwhile: ['cs_paid'] });
    const res = await checkout(testContext(db.sql, fake.stripe), userId, {
      plan_id: plans.starter,
      billing_period: 'monthly',
    });
    expect(res).toMatchObject({ status: 409, body: { error: 'already_subscribed' } });
    expect(fake.calls.sessions).toEqual([]);
  });

  it("keeps the customer's e-mail in step with the owner's: updated once after a change, never when unchanged", async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId, email } = await createUserAndOrganisation(db.sql);
    const fake = fakeStripe();
    const ctx = testContext(db.sql, fake.stripe);
    const buy = () => checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'monthly' });
    await buy();
    await buy();
    expect(fake.updates).toEqual([]);
    const emailOf = async () =>
      (
        await db.sql.query<{ e: string }>('select stripe_customer_email as e from organisations where id = $1', [orgId])
      )[0]!.e;
    expect(await emailOf()).toBe(email);

    await db.sql.query(`update auth.users set email = 'new-owner@example.test' where id = $1`, [userId]); // changed in Supabase Auth
    await buy();
    await buy();
    expect(fake.updates).toEqual([{ id: 'cus_new', params: { email: 'new-owner@example.test' } }]);
    expect(await emailOf()).toBe('new-owner@example.test');
  });

  it('an e-mail update Stripe fails does not block the checkout and is tried again next time', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId, email } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const failing = fakeStripe({ failCustomerUpdate: true });
    const ctx = testContext(db.sql, failing.stripe);
    expect((await checkout(ctx, userId, { plan_id: plans.starter, billing_period: 'monthly' })).status).toBe(200);
    expect(ctx.logger.lines.join('\n')).toContain('will retry on the next session');
    const working = fakeStripe();
    await checkout(testContext(db.sql, working.stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' });
    expect(working.updates).toEqual([{ id: 'cus_existing', params: { email } }]);
    expect(
      (await db.sql.query('select stripe_customer_email as e from organisations where id = $1', [orgId]))[0],
    ).toEqual({ e: email });
  });

  it('refuses a second subscription with 409 already_subscribed before calling Stripe', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, {
      orgId,
      status: 'past_due',
      periodStart: new Date('2026-11-01Z'),
      periodEnd: new Date('2026-12-01Z'),
    });
    const fake = fakeStripe();
    expect(
      await checkout(testContext(db.sql, fake.stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }),
    ).toMatchObject({ status: 409, body: { error: 'already_subscribed' } });
    expect(fake.calls.sessions).toEqual([]);
  });

  it('a canceled subscription does not block a new checkout', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, {
      orgId,
      status: 'canceled',
      periodStart: new Date('2026-10-01Z'),
      periodEnd: new Date('2026-11-01Z'),
    });
    expect(
      (
        await checkout(testContext(db.sql, fakeStripe().stripe), userId, {
          plan_id: plans.starter,
          billing_period: 'monthly',
        })
      ).status,
    ).toBe(200);
  });

  it.each([
    [
      'a plan that does not exist',
      (_p: Record<string, string>) => ({ plan_id: '00000000-0000-4000-8000-000000000000', billing_period: 'monthly' }),
      404,
      'plan_not_found',
    ],
    ['a plan id that is not a uuid', () => ({ plan_id: 'starter', billing_period: 'monthly' }), 400, 'invalid_request'],
    [
      'a billing period that is not offered',
      (p: Record<string, string>) => ({ plan_id: p.starter, billing_period: 'weekly' }),
      400,
      'invalid_request',
    ],
    [
      'an org_id that is not a uuid',
      (p: Record<string, string>) => ({ plan_id: p.starter, billing_period: 'monthly', org_id: 'x' }),
      400,
      'invalid_request',
    ],
    [
      "another user's organisation",
      (p: Record<string, string>, other: string) => ({ plan_id: p.starter, billing_period: 'monthly', org_id: other }),
      404,
      'organisation_not_found',
    ],
  ])('refuses %s, calling no Stripe and writing nothing', async (_n, body, status, code) => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    const other = await createUserAndOrganisation(db.sql);
    const fake = fakeStripe();
    const res = await checkout(testContext(db.sql, fake.stripe), userId, body(plans, other.orgId));
    expect(res).toMatchObject({ status, body: { error: code } });
    expect(fake.calls).toEqual({ customers: [], sessions: [], listed: [], expired: [] });
    expect(await customerOf(db.sql, orgId)).toBeNull();
  });

  it('a user owning two organisations must say which (400 org_id_required)', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql);
    await db.sql.query(`insert into organisations (name, owner_id) values ('Second', $1)`, [userId]);
    expect(
      await checkout(testContext(db.sql, fakeStripe().stripe), userId, {
        plan_id: plans.starter,
        billing_period: 'monthly',
      }),
    ).toMatchObject({ status: 400, body: { error: 'org_id_required' } });
  });

  it('Stripe down: 503 stripe_unavailable and no customer id stored; a session Stripe refuses is a 502', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    expect(
      await checkout(testContext(db.sql, fakeStripe({ failCustomer: true }).stripe), userId, {
        plan_id: plans.starter,
        billing_period: 'monthly',
      }),
    ).toMatchObject({ status: 503, body: { error: 'stripe_unavailable' } });
    expect(await customerOf(db.sql, orgId)).toBeNull();
    expect(
      await checkout(testContext(db.sql, fakeStripe({ failSession: true }).stripe), userId, {
        plan_id: plans.starter,
        billing_period: 'monthly',
      }),
    ).toMatchObject({ status: 502, body: { error: 'stripe_unavailable' } });
  });

  it('a plan whose Stripe prices are not synced cannot be bought', async () => {
    const plans = await seedCatalog(db.sql);
    await db.sql.query('update billing_plans set stripe_metered_price_id = null');
    const { userId } = await createUserAndOrganisation(db.sql);
    expect(
      await checkout(testContext(db.sql, fakeStripe().stripe), userId, {
        plan_id: plans.starter,
        billing_period: 'monthly',
      }),
    ).toMatchObject({ status: 404, body: { error: 'plan_not_found' } });
  });
});
