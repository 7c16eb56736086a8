/**
 * The same local stack on PostgreSQL (DATABASE_URL): a fresh database through TEST_DATABASE_URL. Like every
 * PostgreSQL suite: without TEST_DATABASE_URL it is skipped, except with CI=true where that is a failure
 * (docs/conventions.md#tests).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

describeOnPostgres('the local stack on PostgreSQL', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ database: 'postgres' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reports postgres in /health and serves the plans', async () => {
    expect((await stack.call('/health')).json).toEqual({ ok: true, database: 'postgres', stripe: 'emulator' });
    expect((await stack.call('plans')).json.plans.map((p: { name: string }) => p.name)).toEqual([
      'Starter',
      'Growth',
      'Enterprise',
    ]);
  });

  it('signs up with the local Auth and creates an organisation', async () => {
    const { userId, accessToken } = await stack.signUp();
    const org = await stack.createOrganisation(accessToken, 'Postgres Ltd');
    expect(org.owner_id).toBe(userId);
  });

  it('keeps the first Stripe customer under concurrent writers', async () => {
    const { accessToken } = await stack.signUp();
    const org = await stack.createOrganisation(accessToken, 'Race Ltd');
    const { setStripeCustomerIdIfMissing } = await import('../../src/repositories/organisations.ts');
    const stored = await Promise.all(
      Array.from({ length: 20 }, (_, i) => setStripeCustomerIdIfMissing(stack.sql, org.id, `cus_racer_${i}`)),
    );
    expect(new Set(stored).size).toBe(1);
  });
});
