/**
 * Fixtures of the billing function tests (test/functions): an AppContext over a test database, the catalog with
 * Stripe price ids, and a scripted fake of the few Stripe SDK calls the billing use cases make. Scenario tests
 * (test/scenarios) use the real emulator instead; these exist to reach the corners (timeouts, races, refusals)
 * deterministically.
 */
import Stripe from 'stripe';
import type { Config } from '../../src/config/types.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import { manualClock } from '../../src/ports/clock.ts';
import { memoryLogger } from '../../src/ports/logger.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import { trackBackgroundWork } from './background-work.ts';

export const WEBHOOK_SECRET = 'whsec_test_billing_fixtures';
export const SETUP_FEE_PRICE = 'price_setup_fee';

export const priceIds = (code: string) => ({
  monthly: `price_${code}_monthly`,
  yearly: `price_${code}_yearly`,
  metered: `price_${code}_metered`,
});

export function testConfig(): Config {
  return {
    port: 54321,
    stripeEmulatorPort: 12111,
    database: { kind: 'pglite', dir: ':memory:' },
    stripe: {
      mode: 'emulator',
      secretKey: 'sk_test_fixture',
      apiBase: undefined,
      webhookSecret: WEBHOOK_SECRET,
      setupFeePriceId: SETUP_FEE_PRICE,
    },
    websiteUrl: 'http://127.0.0.1:54321',
    auth: {
      supabaseUrl: undefined,
      jwks: undefined,
      jwtSecret: 'x'.repeat(40),
      anonKey: 'anon',
      serviceRoleKey: 'service',
      secretKeys: [],
    },
  };
}

export interface TestContext extends AppContext {
  logger: ReturnType<typeof memoryLogger>;
  clock: ReturnType<typeof manualClock>;
  /** Everything scheduled with waitUntil, to await in a test. */
  pending: Promise<unknown>[];
  settle(): Promise<void>;
}

export function testContext(sql: Sql, stripe: unknown, at = new Date('2026-11-10T12:00:00Z')): TestContext {
  const pending: Promise<unknown>[] = [];
  return {
    config: testConfig(),
    sql,
    stripe: stripe as Stripe,
    clock: manualClock(at),
    logger: memoryLogger(),
    pending,
    waitUntil: (task) => {
      pending.push(task);
      trackBackgroundWork(task);
    },
    settle: async () => {
      while (pending.length) await Promise.allSettled(pending.splice(0));
    },
  };
}

/** Seeds the catalog and gives every plan fake Stripe price ids; returns plan ids by code. */
export async function seedCatalog(sql: Sql): Promise<Record<'starter' | 'growth' | 'enterprise', string>> {
  await seedPlans(sql);
  for (const code of ['starter', 'growth', 'enterprise']) {
    const p = priceIds(code);
    await sql.query(
      `update billing_plans set stripe_price_id = $2, stripe_yearly_price_id = $3, stripe_metered_price_id = $4 where code = $1`,
      [code, p.monthly, p.yearly, p.metered],
    );
  }
  const rows = await sql.query<{ id: string; code: 'starter' | 'growth' | 'enterprise' }>(
    'select id, code from billing_plans',
  );
  return Object.fromEntries(rows.map((r) => [r.code, r.id])) as Record<'starter' | 'growth' | 'enterprise', string>;
}

/** An error shaped like the SDK's (type + statusCode + code), for the fake to throw. */
export function stripeError(
  type: string,
  statusCode: number | undefined,
  message: string,
  extra: Record<string, unknown> = {},
): Error {
  return Object.assign(new Error(message), { type, statusCode, ...extra });
}

export const realWebhooks = new Stripe('sk_test_fixture').webhooks;

/** A signed webhook request body + header, as Stripe sends it. */
export async function signedEvent(event: unknown): Promise<{ body: string; header: string }> {
  const body = JSON.stringify(event);
  const header = await realWebhooks.generateTestHeaderStringAsync({ payload: body, secret: WEBHOOK_SECRET });
  return { body, header };
}

const unix = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

export interface FakeSubscriptionInput {
  id: string;
  customer: string;
  status?: Stripe.Subscription.Status;
  metadata?: Record<string, string>;
  /** [priceId, interval, usage type, periodStart ISO, periodEnd ISO] per item. */
  items: Array<{ price: string; interval: 'month' | 'year'; metered?: boolean; start: string; end: string }>;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: string | null;
  canceledAt?: string | null;
  /** When Stripe created it (ISO); the duplicate-subscription rule cancels the newer one. */
  created?: string;
  latestInvoice?: string | null;
}

/** A Stripe.Subscription as the API (2026-10-28) returns it: periods on the items. */
export function fakeSubscription(s: FakeSubscriptionInput): Stripe.Subscription {
  return {
    id: s.id,
    object: 'subscription',
    customer: s.customer,
    status: s.status ?? 'active',
    metadata: s.metadata ?? {},
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    cancel_at: s.cancelAt ? unix(s.cancelAt) : null,
    canceled_at: s.canceledAt ? unix(s.canceledAt) : null,
    created: s.created ? unix(s.created) : unix(s.items[0]?.start ?? '2026-11-01T00:00:00Z'),
    latest_invoice: s.latestInvoice ?? null,
    items: {
      object: 'list',
      has_more: false,
      url: `/v1/subscription_items?subscription=${s.id}`,
      data: s.items.map((item, i) => ({
        id: `si_${s.id}_${i}`,
        object: 'subscription_item',
        current_period_start: unix(item.start),
        current_period_end: unix(item.end),
        price: {
          id: item.price,
          object: 'price',
          recurring: {
            interval: item.interval,
            interval_count: 1,
            usage_type: item.metered ? 'metered' : 'licensed',
            meter: null,
            trial_period_days: null,
          },
        },
      })),
    },
  } as unknown as Stripe.Subscription;
}

export function event(id: string, type: string, object: unknown, created = 1_790_000_000): Stripe.Event {
  return {
    id,
    object: 'event',
    type,
    created,
    data: { object },
    api_version: '2026-10-28.endive',
    livemode: false,
    pending_webhooks: 1,
    request: null,
  } as unknown as Stripe.Event;
}
