/**
 * `doctor` against the emulator, from a deliberately broken account: a stale price (so billing_plans points at the
 * old one), an endpoint at our URL with the wrong events on an old API version, no portal configuration, a call
 * pending for an hour, and a Stripe event we never received. The first look lists each problem; `--fix` repairs
 * them (a new endpoint, its secret queued for printing once); a second look is all `ok` but for what cannot be
 * proven or exist here (the secret, pg_cron).
 */
import Stripe from 'stripe';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import { serveFetch } from '../../src/entries/node/serve.ts';
import { createApp } from '../../src/http/app.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import { allRoutes } from '../../src/http/routes/index.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { memoryLogger } from '../../src/ports/logger.ts';
import { ALL_CHECKS } from '../../src/usecases/doctor/checks/index.ts';
import { doctorExitCode, runDoctor } from '../../src/usecases/doctor/runner.ts';
import type { CheckResult, DoctorContext } from '../../src/usecases/doctor/types.ts';
import { handledEventTypes } from '../../src/usecases/doctor/webhook-events.ts';
import { openBillingPortal } from '../../src/usecases/open-billing-portal.ts';
import { ourPortalConfigurationId } from '../../src/usecases/portal-configuration.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import { syncCatalog } from '../../src/usecases/sync-catalog.ts';
import { startHarness, type Harness } from '@aisyst/stripe-emulator/testing';
import { testConfig } from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase, type TestDatabase } from '../support/database.ts';

const FUNCTIONS_URL = 'http://127.0.0.1:9/functions/v1';

function doctorContext(db: TestDatabase, stripe: Stripe, config: Config): DoctorContext {
  return {
    config,
    sql: db.sql,
    stripe,
    clock: systemClock,
    logger: memoryLogger(),
    live: false,
    state: { secretsToSet: [], fixesRun: new Set() },
    waitUntil: () => {},
  };
}

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));
const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

describeEachDatabase('aisyst-billing doctor on a broken emulated account', (db) => {
  let h: Harness;
  let config: Config;
  let owner: { userId: string; orgId: string };
  beforeEach(async () => {
    // No webhook retries: the endpoint's URL answers nothing, and a retry would only add noise.
    h = await startHarness({ webhookRetryScheduleMs: [] });
    await seedPlans(db.sql);
    const synced = await syncCatalog({ stripe: h.stripe, mode: 'test', sql: db.sql });
    const base = testConfig();
    config = {
      ...base,
      publicFunctionsUrl: FUNCTIONS_URL,
      stripe: { ...base.stripe, webhookSecret: 'whsec_deployed_long_ago', setupFeePriceId: synced.setupFeePriceId! },
    };

    // A stale price: someone made a new Growth monthly price by hand and moved the lookup key to it.
    const old = (await h.stripe.prices.list({ lookup_keys: ['aisyst_growth_monthly'] })).data[0]!;
    await h.stripe.prices.create({
      product: old.product as string,
      currency: 'eur',
      unit_amount: 30_000,
      recurring: { interval: 'month' },
      lookup_key: 'aisyst_growth_monthly',
      transfer_lookup_key: true,
    });
    // An endpoint at our URL with the wrong events, on an old API version.
    await h.stripe.webhookEndpoints.create({
      url: `${FUNCTIONS_URL}/stripe-webhook-handler`,
      enabled_events: ['invoice.paid', 'customer.created'],
      api_version: '2024-06-20',
    });
    // A call pending for an hour (no deliverer ran), for an organisation with a Stripe customer.
    const customer = await h.stripe.customers.create({ email: 'owner@example.test' });
    owner = await createUserAndOrganisation(db.sql, { stripeCustomerId: customer.id });
    const { orgId } = owner;
    await db.sql.query(
      `insert into usage_records (org_id, call_id, duration_seconds, billed_minutes, ended_at, stripe_status, stripe_customer_id, created_at)
       values ($1, 'call-stuck', 61, 2, now() - interval '1 hour', 'pending', $2, now() - interval '1 hour')`,
      [orgId, customer.id],
    );
    // A subscription made on Stripe whose customer.subscription.created nobody received.
    await h.stripe.subscriptions.create({
      customer: customer.id,
      default_payment_method: 'pm_card_visa',
      items: [{ price: synced.planPriceIds.starter!.monthly! }],
    });
    await h.emulator.waitForIdle();
  });
  afterEach(() => h.emulator.close());

  it('lists each problem, --fix repairs them and prints the new secret once, and a second look is clean', async () => {
    const first = await runDoctor(doctorContext(db, h.stripe, config), ALL_CHECKS, { fix: false });
    expect(first.map((r) => r.id)).toEqual([
      'config',
      'database.migrations',
      'stripe.meter',
      'stripe.prices',
      'stripe.setup_fee',
      'database.plans',
      'database.rls',
      'stripe.webhook_endpoint',
      'stripe.webhook_secret',
      'stripe.portal',
      'usage.backlog',
      'webhooks.unprocessed',
      'schedule.deliver_usage',
      'schedule.deliver_alerts',
      'schedule.reconcile',
    ]);
    expect(statuses(first)).toEqual({
      config: 'ok',
      'database.migrations': 'ok',
      'stripe.meter': 'ok',
      'stripe.prices': 'problem',
      'stripe.setup_fee': 'ok',
      'database.plans': 'problem',
      'database.rls': 'ok',
      'stripe.webhook_endpoint': 'problem',
      'stripe.webhook_secret': 'warning',
      'stripe.portal': 'problem',
      'usage.backlog': 'problem',
      'webhooks.unprocessed': 'problem',
      'schedule.deliver_usage': 'warning',
      'schedule.deliver_alerts': 'warning',
      'schedule.reconcile': 'warning',
    });
    const found = byId(first);
    expect(found['stripe.prices']!.detail).toBe('aisyst_growth_monthly differs from the catalog');
    expect(found['database.plans']!.detail).toBe('growth monthly is not the aisyst_growth_monthly price');
    expect(found['stripe.webhook_endpoint']!.detail).toMatch(
      /missing events .*checkout\.session\.completed.*; extra events customer\.created; API version 2024-06-20, not 2026-10-28\.endive/,
    );
    expect(found['usage.backlog']!.detail).toMatch(/^1 call\(s\) pending for over 10 min/);
    expect(found['webhooks.unprocessed']!.detail).toMatch(/customer\.subscription\.created/);
    expect(found['webhooks.unprocessed']!.hint).toMatch(
      /^npx aisyst-billing stripe-events replay --since \d{4}-\d{2}-\d{2}/,
    );
    expect(found['schedule.deliver_usage']!.detail).toBe(
      'pg_cron not available (local database): the local stack runs the deliverer itself',
    );
    expect(first.every((r) => r.status === 'ok' || r.hint !== '')).toBe(true);
    expect(doctorExitCode(first)).toBe(1);

    const fixing = doctorContext(db, h.stripe, config);
    const fixed = await runDoctor(fixing, ALL_CHECKS, { fix: true });
    expect(statuses(fixed)).toMatchObject({
      'stripe.prices': 'fixed',
      'database.plans': 'fixed',
      'stripe.webhook_endpoint': 'fixed',
      'stripe.webhook_secret': 'fixed',
      'stripe.portal': 'fixed',
      'usage.backlog': 'fixed',
      'webhooks.unprocessed': 'fixed',
      'schedule.deliver_usage': 'warning',
      'schedule.deliver_alerts': 'warning',
      'schedule.reconcile': 'warning',
    });
    expect(doctorExitCode(fixed)).toBe(0);
    const secret = fixing.state.createdEndpointSecret!;
    expect(secret).toMatch(/^whsec_/);
    expect(fixing.state.secretsToSet).toEqual([`supabase secrets set STRIPE_WEBHOOK_SECRET=${secret}`]);
    const endpoints = (await h.stripe.webhookEndpoints.list()).data;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      url: `${FUNCTIONS_URL}/stripe-webhook-handler`,
      api_version: Stripe.API_VERSION,
      status: 'enabled',
    });
    expect([...endpoints[0]!.enabled_events].sort()).toEqual(handledEventTypes());
    // The portal sessions of "Manage billing" use the configuration the fix made (an API-made one is never the
    // default, so create-portal-session must name it).
    const portal = (await h.stripe.billingPortal.configurations.list()).data;
    expect(portal).toHaveLength(1);
    expect(await ourPortalConfigurationId(h.stripe)).toBe(portal[0]!.id);
    const sessions = h.stripe.billingPortal.sessions;
    const create = sessions.create.bind(sessions);
    const asked: unknown[] = [];
    sessions.create = ((params: Stripe.BillingPortal.SessionCreateParams) => {
      asked.push(params);
      return create(params);
    }) as typeof sessions.create;
    await openBillingPortal({ ...doctorContext(db, h.stripe, config) }, { userId: owner.userId, orgId: owner.orgId });
    expect(asked).toEqual([expect.objectContaining({ configuration: portal[0]!.id })]);

    // The operator ran the printed line; the second look (no --fix) has nothing left but what cannot be proven here.
    const again = await runDoctor(
      doctorContext(db, h.stripe, { ...config, stripe: { ...config.stripe, webhookSecret: secret } }),
      ALL_CHECKS,
      { fix: false },
    );
    const notOk = again.filter((r) => r.status !== 'ok').map((r) => `${r.id}: ${r.status}`);
    expect(notOk).toEqual([
      'stripe.webhook_secret: warning',
      'schedule.deliver_usage: warning',
      'schedule.deliver_alerts: warning',
      'schedule.reconcile: warning',
    ]);
    expect(doctorExitCode(again)).toBe(0);

    // --fix again is idempotent: nothing created twice, no new secret.
    const twice = doctorContext(db, h.stripe, config);
    await runDoctor(twice, ALL_CHECKS, { fix: true });
    expect(twice.state.secretsToSet).toEqual([]);
    expect((await h.stripe.webhookEndpoints.list()).data).toHaveLength(1);
    expect((await h.stripe.billingPortal.configurations.list()).data).toHaveLength(1);
  }, 60_000);

  it('proves the webhook secret only once our handler applied an event the endpoint delivered, and warns about other receivers', async () => {
    // Our functions, served for real: the endpoint doctor registers points at them.
    let appCtx: AppContext | undefined;
    const server = await serveFetch((req) => createApp(appCtx!, allRoutes()).fetch(req), { port: 0 });
    try {
      const deployed: Config = { ...config, publicFunctionsUrl: `${server.url}/functions/v1` };
      appCtx = {
        config: deployed,
        sql: db.sql,
        stripe: h.stripe,
        clock: systemClock,
        logger: memoryLogger(),
        waitUntil: () => {},
      };
      const fixing = doctorContext(db, h.stripe, deployed);
      await runDoctor(fixing, ALL_CHECKS, { fix: true });
      const secret = fixing.state.createdEndpointSecret!;
      const look = async () =>
        byId(
          await runDoctor(
            doctorContext(db, h.stripe, { ...deployed, stripe: { ...deployed.stripe, webhookSecret: secret } }),
            ALL_CHECKS,
            { fix: false },
          ),
        );
      const subscription = (await h.stripe.subscriptions.list()).data[0]!;

      // The functions still run with the old secret: the delivery is refused (400), nothing is proven.
      await h.stripe.subscriptions.update(subscription.id, { metadata: { touch: '1' } });
      await h.emulator.waitForIdle();
      expect((await look())['stripe.webhook_secret']).toMatchObject({ status: 'warning' });

      // The operator ran the printed `supabase secrets set` line: the next delivery is verified and applied. (Only
      // events of a later second than the endpoint's creation count: wait for one, should the machine be fast.)
      deployed.stripe.webhookSecret = secret;
      const endpointCreated = (await h.stripe.webhookEndpoints.list()).data[0]!.created;
      while (Date.now() / 1000 < endpointCreated + 1) await new Promise((r) => setTimeout(r, 50));
      await h.stripe.subscriptions.update(subscription.id, { metadata: { touch: '2' } });
      await h.emulator.waitForIdle();
      const proven = await look();
      expect(proven['stripe.webhook_secret']!.status).toBe('ok');
      expect(proven['stripe.webhook_secret']!.detail).toMatch(
        /^proven: the handler verified and applied evt_\w+, delivered by we_\w+$/,
      );

      await h.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/old-deployment', enabled_events: ['*'] });
      const warned = await look();
      expect(warned['stripe.webhook_endpoint']).toMatchObject({ status: 'warning' });
      expect(warned['stripe.webhook_endpoint']!.detail).toContain('http://127.0.0.1:9/old-deployment');
    } finally {
      await server.close();
    }
  }, 60_000);
});
