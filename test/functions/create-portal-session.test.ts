/**
 * create-portal-session as a handler: the owner gets Stripe's customer portal for their organisation, returning to
 * the dashboard; an organisation that never reached Checkout, somebody else's organisation, or a Stripe outage is
 * answered with its error code and nothing else happens.
 */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/create-portal-session.ts';
import { stripeError, testContext, type TestContext } from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const open = (ctx: TestContext, userId: string, json: unknown) =>
  handleRoute(route, ctx, { caller: { kind: 'user', userId, email: undefined }, json });

function portalStripe(answer: () => Promise<unknown>) {
  const calls: unknown[] = [];
  const emailUpdates: unknown[] = [];
  return {
    calls,
    emailUpdates,
    stripe: {
      billingPortal: {
        sessions: {
          create: async (params: unknown) => {
            calls.push(params);
            return answer();
          },
        },
      },
      customers: {
        update: async (id: string, params: unknown) => {
          emailUpdates.push({ id, params });
          return { id };
        },
      },
    },
  };
}

describeEachDatabase('create-portal-session', (db) => {
  it("opens the portal for the organisation's Stripe customer, returning to the dashboard", async () => {
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_P' });
    const fake = portalStripe(async () => ({ id: 'bps_1', url: 'https://billing.stripe.test/p/session/bps_1' }));
    const ctx = testContext(db.sql, fake.stripe);
    expect(await open(ctx, userId, { org_id: orgId })).toEqual({
      status: 200,
      body: { portal_url: 'https://billing.stripe.test/p/session/bps_1' },
    });
    expect(await open(ctx, userId, {})).toMatchObject({ status: 200 }); // the caller's only organisation
    expect(fake.calls).toEqual([
      { customer: 'cus_P', return_url: `${ctx.config.websiteUrl}/dashboard` },
      { customer: 'cus_P', return_url: `${ctx.config.websiteUrl}/dashboard` },
    ]);
  });

  it("brings the owner's current e-mail to the Stripe customer first, once after each change (issue 8, defect 11)", async () => {
    const { userId, orgId, email } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_P' });
    const fake = portalStripe(async () => ({ id: 'bps_1', url: 'https://billing.stripe.test/p/session/bps_1' }));
    const ctx = testContext(db.sql, fake.stripe);
    await open(ctx, userId, { org_id: orgId });
    await open(ctx, userId, { org_id: orgId });
    await db.sql.query(`update auth.users set email = 'renamed@example.test' where id = $1`, [userId]);
    await open(ctx, userId, { org_id: orgId });
    expect(fake.emailUpdates).toEqual([
      { id: 'cus_P', params: { email } },
      { id: 'cus_P', params: { email: 'renamed@example.test' } },
    ]);
  });

  it('an organisation that never reached Checkout has nothing to manage: 409 no_active_subscription, Stripe not asked', async () => {
    const { userId, orgId } = await createUserAndOrganisation(db.sql);
    const fake = portalStripe(async () => ({ url: 'unused' }));
    expect(await open(testContext(db.sql, fake.stripe), userId, { org_id: orgId })).toMatchObject({
      status: 409,
      body: { error: 'no_active_subscription' },
    });
    expect(fake.calls).toEqual([]);
  });

  it("another owner's organisation is 404 organisation_not_found, as if it did not exist", async () => {
    const { orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_theirs' });
    const { userId: intruder } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_mine' });
    const fake = portalStripe(async () => ({ url: 'unused' }));
    expect(await open(testContext(db.sql, fake.stripe), intruder, { org_id: orgId })).toMatchObject({
      status: 404,
      body: { error: 'organisation_not_found' },
    });
    expect(fake.calls).toEqual([]);
  });

  it('refuses an org_id that is not a uuid with 400 invalid_request', async () => {
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_P' });
    const fake = portalStripe(async () => ({ url: 'unused' }));
    expect(await open(testContext(db.sql, fake.stripe), userId, { org_id: 'acme' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', field: 'org_id' },
    });
    expect(fake.calls).toEqual([]);
  });

  it("Stripe down answers 503 stripe_unavailable, a refusal (no portal configuration saved) 502, neither with Stripe's words", async () => {
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_P' });
    const down = portalStripe(async () => {
      throw stripeError('StripeConnectionError', undefined, 'connect ECONNREFUSED 10.0.0.1:443');
    });
    const down503 = await open(testContext(db.sql, down.stripe), userId, { org_id: orgId });
    expect(down503).toMatchObject({ status: 503, body: { error: 'stripe_unavailable' } });
    const refused = portalStripe(async () => {
      throw stripeError(
        'StripeInvalidRequestError',
        400,
        'No configuration provided and your test mode default configuration has not been created.',
      );
    });
    const refused502 = await open(testContext(db.sql, refused.stripe), userId, { org_id: orgId });
    expect(refused502).toMatchObject({ status: 502, body: { error: 'stripe_unavailable' } });
    expect(JSON.stringify([down503, refused502])).not.toMatch(/ECONNREFUSED|configuration/);
  });
});
