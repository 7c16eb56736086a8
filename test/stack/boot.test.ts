import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.ts';

describe('the local stack on random ports', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers /health with the database and the Stripe mode', async () => {
    const res = await stack.call('/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, database: 'pglite', stripe: 'emulator' });
    expect(stack.url).not.toMatch(/:54321$/);
  });

  it('lists the three plans with the fields of docs/http-api.md, by sort order, with Stripe prices synced', async () => {
    const res = await stack.call('plans');
    expect(res.status).toBe(200);
    const plans = res.json.plans as Array<Record<string, unknown>>;
    expect(plans.map((p) => [p.name, p.monthly_price_cents, p.yearly_price_cents, p.included_minutes])).toEqual([
      ['Starter', 20_400, 220_320, 500],
      ['Growth', 36_600, 395_280, 1_000],
      ['Enterprise', 62_400, 673_920, 2_000],
    ]);
    for (const plan of plans) {
      expect(Object.keys(plan).sort()).toEqual(
        [
          'currency',
          'id',
          'included_minutes',
          'monthly_price_cents',
          'name',
          'overage_rate_cents',
          'setup_fee_cents',
          'sort_order',
          'yearly_price_cents',
        ].sort(),
      );
      expect(plan).toMatchObject({ currency: 'eur', overage_rate_cents: 50, setup_fee_cents: 24_900 });
    }
    const synced = await stack.sql.query<{ n: number }>(
      'select count(*)::int as n from billing_plans where stripe_price_id is not null and stripe_yearly_price_id is not null and stripe_metered_price_id is not null',
    );
    expect(synced[0]!.n).toBe(3);
    expect(stack.config.stripe.setupFeePriceId).toMatch(/^price_/);
  });

  it('registered a webhook endpoint pointing at its own handler', async () => {
    const endpoints = await stack.stripe.webhookEndpoints.list();
    expect(endpoints.data.map((e) => e.url)).toContain(`${stack.url}/functions/v1/stripe-webhook-handler`);
  });
});
