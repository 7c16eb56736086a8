/**
 * `aisyst-billing smoke-test` as an operator runs it, against a whole local stack (functions, Auth subset, the
 * Stripe emulator delivering signed webhooks): every step passes on a healthy stack; a stack whose webhooks do not
 * arrive fails at the step that waits for them, still cleans up, and exits 1; a live key is refused up front.
 * The runs against the stack are `main` in this process; the refusals run the binary (test/stack/cli-process.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseKind, describeOnEachDatabaseKind } from '../support/database.ts';
import { runCli, runCliInProcess, withoutOwn } from '../stack/cli-process.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/** Only what the test names: never the developer's own keys or database. */
const CLEAN_ENV = withoutOwn(/^(STRIPE_|SUPABASE_|DATABASE_URL|PGLITE_DIR|PUBLIC_FUNCTIONS_URL|WEBSITE_URL)/);

const smokeEnv = (stack: TestStack) => ({
  ...CLEAN_ENV,
  STRIPE_SECRET_KEY: stack.config.stripe.secretKey,
  STRIPE_API_BASE: stack.emulator!.url,
  SUPABASE_URL: stack.url,
});

const STEPS = [
  'plan Starter served by plans, its prices at Stripe',
  'owner signed up through Supabase Auth',
  'organisation created through organisations',
  'Stripe customer on a test clock',
  'subscribed with pm_card_visa (Checkout cannot be completed by API)',
  'webhooks applied: billing-summary shows the subscription',
  'first invoice paid: €453.00 (month + setup fee)',
  '3 calls reported through report-usage',
  'ledger: 541 minutes, 41 over, €20.50',
  'meter: 541 minutes at Stripe (deliver-usage)',
  'rows: the call log holds the 3 calls, each billed as the domain rounds it, all sent to Stripe',
  'test clock advanced past the period end',
  'webhooks applied: billing-summary shows the next period',
  'renewal invoice paid: €224.50 (month + €20.50 overage)',
  'cleanup: subscription canceled',
  'cleanup: cancellation applied (billing-summary)',
  'cleanup: test clock deleted (with its customer)',
];

describeOnEachDatabaseKind('aisyst-billing smoke-test against the local stack', smokeSuite);

function smokeSuite(database: DatabaseKind): void {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ database, emulator: { webhookRetryScheduleMs: [50, 100, 200] } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('passes every step, prints each with its time, and names what it leaves in place', async () => {
    const { code, output } = await runCliInProcess(
      ['smoke-test', '--functions-url', `${stack.url}/functions/v1`],
      smokeEnv(stack),
    );
    expect(output).not.toContain('✗');
    for (const step of STEPS) expect(output).toContain(`✓ ${step}  (`);
    expect(output).toMatch(/✓ [^\n]+ {2}\(\d+\.\d s\)/);
    expect(output).toMatch(/Left in place:\n {2}organisation [0-9a-f-]{36} /);
    expect(code, output).toBe(0);

    // The run's organisation really went through the month: its calls are rows, its subscription row says canceled.
    const orgId = output.match(/organisation ([0-9a-f-]{36})/)![1]!;
    const [row] = await stack.sql.query<{ calls: number; status: string }>(
      `select (select count(*)::int from usage_records where org_id = $1) as calls,
              (select status from subscriptions where org_id = $1) as status`,
      [orgId],
    );
    expect(row).toEqual({ calls: 3, status: 'canceled' });
    const clocks = await stack.stripe.testHelpers.testClocks.list({ limit: 100 });
    expect(clocks.data.filter((c) => c.name?.startsWith('Smoke test'))).toEqual([]);
  });

  it('stops at the owner step when the backend key is not the deployment’s, creating nothing at Stripe', async () => {
    const clocksBefore = (await stack.stripe.testHelpers.testClocks.list({ limit: 100 })).data.length;
    const { code, output } = await runCliInProcess(['smoke-test', '--functions-url', `${stack.url}/functions/v1`], {
      ...smokeEnv(stack),
      SUPABASE_SERVICE_ROLE_KEY: 'not-this-deployments-key',
    });
    expect(output).toContain('✓ plan Starter served by plans');
    expect(output).toMatch(
      /✗ owner signed up through Supabase Auth {2}\(\d+\.\d s\) {2}Auth admin\/users answered 401/,
    );
    expect(output).not.toContain('not-this-deployments-key');
    expect(output).not.toContain('cleanup:');
    expect(code).toBe(1);
    expect((await stack.stripe.testHelpers.testClocks.list({ limit: 100 })).data).toHaveLength(clocksBefore);
  });

  it('fails at the webhook step when Stripe cannot reach the stack, still cleans up, and exits 1', async () => {
    const endpoints = await stack.stripe.webhookEndpoints.list({ limit: 100 });
    for (const e of endpoints.data) await stack.stripe.webhookEndpoints.update(e.id, { disabled: true });
    try {
      const { code, output } = await runCliInProcess(
        ['smoke-test', '--functions-url', `${stack.url}/functions/v1`, '--timeout', '2'],
        smokeEnv(stack),
      );
      expect(output).toContain('✓ subscribed with pm_card_visa');
      expect(output).toMatch(
        /✗ webhooks applied: billing-summary shows the subscription {2}\(\d+\.\d s\) {2}timed out after 2 s waiting for the subscription in billing-summary \(last: subscription none/,
      );
      expect(output).not.toContain('3 calls reported');
      expect(output).toContain('✓ cleanup: subscription canceled');
      expect(output).toContain('✗ cleanup: cancellation applied (billing-summary)');
      expect(output).toContain('✓ cleanup: test clock deleted');
      expect(output).toContain('smoke test FAILED');
      expect(code).toBe(1);
    } finally {
      for (const e of endpoints.data) await stack.stripe.webhookEndpoints.update(e.id, { disabled: false });
    }
  });
}

describe('aisyst-billing smoke-test refusals', () => {
  it.each(['sk_live_notreal', 'rk_live_notreal'])('refuses the live key %s before calling anything', async (key) => {
    const { code, output } = await runCli(['smoke-test', '--functions-url', 'http://127.0.0.1:1/functions/v1'], {
      ...CLEAN_ENV,
      STRIPE_SECRET_KEY: key,
      STRIPE_API_BASE: 'http://127.0.0.1:1',
    });
    expect(code).toBe(1);
    expect(output).toContain('smoke-test: STRIPE_SECRET_KEY is a live key');
    expect(output).not.toContain(key);
  });

  it('explains itself with --help, is listed in the overview, and refuses an unknown option or a missing URL', async () => {
    const [help, overview, bad, noUrl] = await Promise.all([
      runCli(['smoke-test', '--help'], CLEAN_ENV),
      runCli(['--help'], CLEAN_ENV),
      runCli(['smoke-test', '--fast'], CLEAN_ENV),
      runCli(['smoke-test'], { ...CLEAN_ENV, STRIPE_API_BASE: 'http://127.0.0.1:1' }),
    ]);
    expect(help.code).toBe(0);
    expect(help.output).toContain('usage: aisyst-billing smoke-test [--functions-url URL] [--timeout SECONDS]');
    expect(overview.output).toMatch(/smoke-test\s+smoke-test \[--functions-url URL\]/);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain("unknown option '--fast'");
    expect(noUrl.code).toBe(1);
    expect(noUrl.output).toContain('give --functions-url, or set PUBLIC_FUNCTIONS_URL');
  });
});
