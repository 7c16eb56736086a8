/** billing-summary: the ledger's view of plan and usage, Stripe's invoices, and only for the owner. */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/billing-summary.ts';
import { seedCatalog, stripeError, testContext, type TestContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

const summary = (ctx: TestContext, userId: string, query = '') =>
  handleRoute(route, ctx, { caller: { kind: 'user', userId, email: undefined }, path: query });

const invoice = {
  id: 'in_1',
  number: 'ACME-0001',
  status: 'paid',
  total: 45_300,
  currency: 'eur',
  period_start: 1_793_491_200,
  period_end: 1_793_491_200,
  hosted_invoice_url: 'https://invoice.example/in_1',
};

describeEachDatabase('billing-summary', (db) => {
  it("shows plan, status, this month's usage and the invoices from Stripe", async () => {
    const plans = await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { orgName: 'Acme', stripeCustomerId: 'cus_S' });
    const { cycleId } = await createSubscriptionWithCycle(db.sql, {
      orgId,
      stripeCustomerId: 'cus_S',
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
    });
    await db.sql.query(
      'update billing_cycles set minutes_used = 612, overage_minutes = 112, overage_cost_cents = 5600 where id = $1',
      [cycleId],
    );
    const asked: unknown[] = [];
    const ctx = testContext(db.sql, {
      invoices: {
        list: async (p: unknown) => {
          asked.push(p);
          return { data: [invoice] };
        },
      },
    });
    const res = await summary(ctx, userId);
    expect(res).toEqual({
      status: 200,
      body: {
        organisation: { id: orgId, name: 'Acme' },
        organisations: [{ id: orgId, name: 'Acme' }],
        subscription: {
          plan: { id: plans.starter, name: 'Starter' },
          billing_period: 'monthly',
          status: 'active',
          current_period_start: '2026-11-01T00:00:00.000Z',
          current_period_end: '2026-12-01T00:00:00.000Z',
          cancel_at_period_end: false,
          cancel_at: null,
          pending_change: null,
        },
        usage: {
          period_start: '2026-11-01T00:00:00.000Z',
          period_end: '2026-12-01T00:00:00.000Z',
          minutes_used: 612,
          included_minutes: 500,
          overage_minutes: 112,
          overage_cost_cents: 5600,
          currency: 'eur',
        },
        usage_earlier_in_period: [],
        invoices: [
          {
            id: 'in_1',
            number: 'ACME-0001',
            status: 'paid',
            total_cents: 45_300,
            currency: 'eur',
            period_start: '2026-11-01T00:00:00.000Z',
            period_end: '2026-11-01T00:00:00.000Z',
            hosted_invoice_url: 'https://invoice.example/in_1',
          },
        ],
      },
    });
    expect(asked).toEqual([{ customer: 'cus_S', limit: 12 }]);
  });

  it('an organisation that never subscribed: no subscription, no usage, no invoices, no Stripe call', async () => {
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { orgName: 'New' });
    const res = await summary(testContext(db.sql, {}), userId, `?org_id=${orgId}`);
    expect(res.body).toEqual({
      organisation: { id: orgId, name: 'New' },
      organisations: [{ id: orgId, name: 'New' }],
      subscription: null,
      usage: null,
      usage_earlier_in_period: [],
      invoices: [],
    });
  });

  it('a caller without any organisation: 404 organisation_not_found, or with if_none=empty a 200 naming none (no console 404 for the page)', async () => {
    const { userId } = await createUserAndOrganisation(db.sql);
    await db.sql.query('delete from organisations where owner_id = $1', [userId]);
    expect(await summary(testContext(db.sql, {}), userId)).toMatchObject({
      status: 404,
      body: { error: 'organisation_not_found' },
    });
    expect(await summary(testContext(db.sql, {}), userId, '?if_none=empty')).toEqual({
      status: 200,
      body: {
        organisation: null,
        organisations: [],
        subscription: null,
        usage: null,
        usage_earlier_in_period: [],
        invoices: [],
      },
    });
  });

  it('an owner of several organisations: without org_id a 400 org_id_required listing them; with one, its summary and all of them', async () => {
    const { userId, orgId: first } = await createUserAndOrganisation(db.sql, { orgName: 'Acme' });
    const [second] = await db.sql.query<{ id: string }>(
      `insert into organisations (name, owner_id) values ('Beta', $1) returning id`,
      [userId],
    );
    const both = [
      { id: first, name: 'Acme' },
      { id: second!.id, name: 'Beta' },
    ];
    expect(await summary(testContext(db.sql, {}), userId)).toMatchObject({
      status: 400,
      body: { error: 'org_id_required', field: 'org_id', organisations: both },
    });
    const chosen = await summary(testContext(db.sql, {}), userId, `?org_id=${second!.id}`);
    expect(chosen.body).toMatchObject({ organisation: both[1], organisations: both });
  });

  it('Stripe down: the ledger part still answers, flagged invoices_unavailable', async () => {
    await seedCatalog(db.sql);
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_D' });
    await createSubscriptionWithCycle(db.sql, {
      orgId,
      stripeCustomerId: 'cus_D',
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
    });
    const ctx = testContext(db.sql, {
      invoices: {
        list: async () => {
          throw stripeError('StripeConnectionError', undefined, 'down');
        },
      },
    });
    const res = await summary(ctx, userId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      invoices: [],
      invoices_unavailable: true,
      subscription: { status: 'active' },
      usage: { included_minutes: 500 },
    });
  });

  it("another user's organisation is answered like one that does not exist; a malformed id is a 400", async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const intruder = await createUserAndOrganisation(db.sql);
    expect(await summary(testContext(db.sql, {}), intruder.userId, `?org_id=${orgId}`)).toMatchObject({
      status: 404,
      body: { error: 'organisation_not_found' },
    });
    expect(await summary(testContext(db.sql, {}), intruder.userId, '?org_id=nope')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', field: 'org_id' },
    });
  });
});
