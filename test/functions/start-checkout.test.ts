/**
 * create-checkout-session on a scripted Stripe: what the session is asked for, what is refused before Stripe is
 * called, and that a Stripe failure leaves nothing half-written.
 */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/create-checkout-session.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { priceIds, seedCatalog, SETUP_FEE_PRICE, stripeError, testContext, type TestContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

function fakeStripe(opts: { failSession?: boolean; failCustomer?: boolean; openSessions?: string[]; completedMeanwhile?: string[] } = {}) {
  const calls = { customers: [] as Array<{ params: any; key?: string }>, sessions: [] as any[], listed: [] as any[], expired: [] as string[] };
  return {
    calls,
    stripe: {
      customers: {
        async create(params: unknown, o?: { idempotencyKey?: string }) {
          calls.customers.push({ params, key: o?.idempotencyKey });
          if (opts.failCustomer) throw stripeError('StripeConnectionError', undefined, 'connect ECONNREFUSED');
          return { id: 'cus_new', object: 'customer' };
        },
      },
      checkout: { sessions: {
        async create(params: unknown) {
          calls.sessions.push(params);
          if (opts.failSession) throw stripeError('StripeInvalidRequestError', 400, 'No such price');
          return { id: 'cs_1', url: 'https://checkout.example/cs_1' };
        },
        async list(params: unknown) {
          calls.listed.push(params);
          return { object: 'list', has_more: false, data: (opts.openSessions ?? []).map((id) => ({ id, object: 'checkout.session', status: 'open' })) };
        },
        async expire(id: string) {
          calls.expired.push(id);
          if (opts.completedMeanwhile?.includes(id)) {
            throw stripeError('StripeInvalidRequestError', 400, 'Only Checkout Sessions with a status of `open` can be expired.');
          }
          return { id, object: 'checkout.session', status: 'expired' };
        },
      } },
    },
  };
}

const checkout = (ctx: TestContext, userId: string, json: unknown) =>
  handleRoute(route, ctx, { caller: { kind: 'user', userId, email: undefined }, json });

const customerOf = async (sql: Sql, orgId: string) => (await sql.query<{ c: string | null }>('select stripe_customer_id as c from organisations where id = $1', [orgId]))[0]!.c;

describeEachDatabase('create-checkout-session', (db) => {
  it('monthly: flat price, metered price without quantity and the setup fee, for a new customer tagged with the org', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { orgName: 'Acme' });
    const fake = fakeStripe();
    const res = await checkout(testContext(db.sql, fake.stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' });
    expect(res).toEqual({ status: 200, body: { checkout_url: 'https://checkout.example/cs_1', session_id: 'cs_1' } });
    expect(fake.calls.customers).toEqual([{ params: { name: 'Acme', metadata: { org_id: orgId } }, key: `customer-${orgId}` }]);
    const meta = { org_id: orgId, plan_id: plans.starter, billing_period: 'monthly' };
    expect(fake.calls.sessions[0]).toEqual({
      mode: 'subscription', customer: 'cus_new', client_reference_id: orgId,
      line_items: [{ price: priceIds('starter').monthly, quantity: 1 }, { price: priceIds('starter').metered }, { price: SETUP_FEE_PRICE, quantity: 1 }],
      subscription_data: { metadata: meta }, metadata: meta,
      success_url: 'http://127.0.0.1:54321/dashboard?payment=success&session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://127.0.0.1:54321/pricing?payment=cancelled',
    });
    expect(await customerOf(db.sql, orgId)).toBe('cus_new');
  });

  it('yearly: the yearly flat price and the setup fee only (the metered item is added by the webhook); the customer is reused', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    const fake = fakeStripe();
    await checkout(testContext(db.sql, fake.stripe), userId, { plan_id: plans.growth, billing_period: 'yearly', org_id: orgId });
    expect(fake.calls.customers).toEqual([]);
    expect(fake.calls.sessions[0]).toMatchObject({
      customer: 'cus_existing',
      line_items: [{ price: priceIds('growth').yearly, quantity: 1 }, { price: SETUP_FEE_PRICE, quantity: 1 }],
      subscription_data: { metadata: { billing_period: 'yearly', plan_id: plans.growth } },
    });
  });

  it('expires the customer\'s open sessions before opening a new one, so at most one can be paid', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_existing' });
    // The user opened Checkout in another tab (cs_old); cs_paid was completed while we were listing.
    const fake = fakeStripe({ openSessions: ['cs_old', 'cs_paid'], completedMeanwhile: ['cs_paid'] });
    const res = await checkout(testContext(db.sql, fake.stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' });
    expect(res.status).toBe(200);
    expect(fake.calls.listed).toEqual([{ customer: 'cus_existing', status: 'open', limit: 100 }]);
    expect(fake.calls.expired).toEqual(['cs_old', 'cs_paid']);
    expect(fake.calls.sessions).toHaveLength(1);
  });

  it('refuses a second subscription with 409 already_subscribed before calling Stripe', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, status: 'past_due', periodStart: new Date('2026-11-01Z'), periodEnd: new Date('2026-12-01Z') });
    const fake = fakeStripe();
    expect(await checkout(testContext(db.sql, fake.stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }))
      .toMatchObject({ status: 409, body: { error: 'already_subscribed' } });
    expect(fake.calls.sessions).toEqual([]);
  });

  it('a canceled subscription does not block a new checkout', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, status: 'canceled', periodStart: new Date('2026-10-01Z'), periodEnd: new Date('2026-11-01Z') });
    expect((await checkout(testContext(db.sql, fakeStripe().stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' })).status).toBe(200);
  });

  it.each([
    ['a plan that does not exist', (p: Record<string, string>) => ({ plan_id: '00000000-0000-4000-8000-000000000000', billing_period: 'monthly' }), 404, 'plan_not_found'],
    ['a plan id that is not a uuid', () => ({ plan_id: 'starter', billing_period: 'monthly' }), 400, 'invalid_request'],
    ['a billing period that is not offered', (p: Record<string, string>) => ({ plan_id: p.starter, billing_period: 'weekly' }), 400, 'invalid_request'],
    ['an org_id that is not a uuid', (p: Record<string, string>) => ({ plan_id: p.starter, billing_period: 'monthly', org_id: 'x' }), 400, 'invalid_request'],
    ['another user\'s organisation', (p: Record<string, string>, other: string) => ({ plan_id: p.starter, billing_period: 'monthly', org_id: other }), 404, 'organisation_not_found'],
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
    expect(await checkout(testContext(db.sql, fakeStripe().stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }))
      .toMatchObject({ status: 400, body: { error: 'org_id_required' } });
  });

  it('Stripe down: 503 stripe_unavailable and no customer id stored; a session Stripe refuses is a 502', async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    expect(await checkout(testContext(db.sql, fakeStripe({ failCustomer: true }).stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }))
      .toMatchObject({ status: 503, body: { error: 'stripe_unavailable' } });
    expect(await customerOf(db.sql, orgId)).toBeNull();
    expect(await checkout(testContext(db.sql, fakeStripe({ failSession: true }).stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }))
      .toMatchObject({ status: 502, body: { error: 'stripe_unavailable' } });
  });

  it('a plan whose Stripe prices are not synced cannot be bought', async () => {
    const plans = await seedCatalog(db.sql);
    await db.sql.query('update billing_plans set stripe_metered_price_id = null');
    const { userId } = await createUserAndOrganisation(db.sql);
    expect(await checkout(testContext(db.sql, fakeStripe().stripe), userId, { plan_id: plans.starter, billing_period: 'monthly' }))
      .toMatchObject({ status: 404, body: { error: 'plan_not_found' } });
  });
});
