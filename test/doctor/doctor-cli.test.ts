/** `aisyst-billing doctor` as an operator runs it: help, refusals, misconfiguration, the JSON shape and exit codes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';
import { runCli, runCliInProcess, withoutOwn } from '../stack/cli-process.ts';

// Only what the test names: never the developer's own STRIPE_* / DATABASE_URL (cwd has no .env in CI).
const CLEAN_ENV = withoutOwn(/^(STRIPE_|DATABASE_URL|PGLITE_DIR|PUBLIC_FUNCTIONS_URL|WEBSITE_URL)/);
/** The binary, for help, refusals and exit codes; the fresh-account story runs `main` in this process. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...CLEAN_ENV, ...env });
const cliInProcess = (args: string[], env: Record<string, string>) => runCliInProcess(args, { ...CLEAN_ENV, ...env });

describe('aisyst-billing doctor (CLI)', () => {
  it('explains itself with --help, is listed in the overview, and refuses an unknown option', async () => {
    const [help, overview, bad] = await Promise.all([
      cli(['doctor', '--help']),
      cli(['--help']),
      cli(['doctor', '--repair']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: aisyst-billing doctor [--fix] [--live] [--json]');
    for (const id of [
      'config',
      'database.migrations',
      'database.plans',
      'database.rls',
      'stripe.meter',
      'stripe.prices',
      'stripe.setup_fee',
      'stripe.webhook_endpoint',
      'stripe.webhook_secret',
      'stripe.portal',
      'usage.backlog',
      'webhooks.unprocessed',
      'schedule.deliver_usage',
      'schedule.deliver_alerts',
      'schedule.reconcile',
    ]) {
      expect(help.stdout).toContain(`  ${id} `);
    }
    expect(overview.stdout).toMatch(/doctor\s+doctor \[--fix\] \[--live\] \[--json\]/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--repair'");
  });

  it('refuses a live key without --live, before touching Stripe or the database', async () => {
    const res = await cli(['doctor', '--fix'], {
      STRIPE_SECRET_KEY: 'sk_live_notreal',
      STRIPE_API_BASE: 'http://127.0.0.1:1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /doctor: STRIPE_SECRET_KEY is a live key: doctor checks and repairs live mode only with --live/,
    );
  });

  it('names a misconfiguration (never its value), and says when there is no Stripe at all', async () => {
    const [bad, none] = await Promise.all([
      cli(['doctor'], { PUBLIC_FUNCTIONS_URL: 'ftp://secret-host/x', STRIPE_API_BASE: 'http://127.0.0.1:1' }),
      cli(['doctor']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PUBLIC_FUNCTIONS_URL must be an http(s) URL');
    expect(bad.stderr).not.toContain('secret-host');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no Stripe configured');
  });

  it('prints {"checks": [...]} and exits 1 on a fresh account; --fix repairs it, printing the webhook secret once; then exit 0', async () => {
    const emulator = await startStripeEmulator({ port: 0, webhookRetryScheduleMs: [] });
    const dir = await mkdtemp(join(tmpdir(), 'aisyst-doctor-cli-'));
    try {
      const env = {
        STRIPE_API_BASE: emulator.url,
        PGLITE_DIR: join(dir, 'pglite'),
        PUBLIC_FUNCTIONS_URL: 'http://127.0.0.1:9/functions/v1',
      };
      await restoreMigratedPgliteDir(env.PGLITE_DIR); // as `migrate` leaves it
      const first = await cliInProcess(['doctor', '--json'], env);
      expect(first.code).toBe(1);
      const { checks } = JSON.parse(first.stdout) as { checks: Array<Record<string, string>> };
      expect(checks).toHaveLength(15);
      for (const c of checks) {
        expect(Object.keys(c)).toEqual(['id', 'status', 'detail', 'hint']);
        expect(['ok', 'fixed', 'problem', 'warning']).toContain(c.status);
      }
      const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
      expect(status).toMatchObject({
        config: 'problem',
        'stripe.meter': 'problem',
        'stripe.webhook_endpoint': 'problem',
        'stripe.portal': 'problem',
      });

      const fixed = await cliInProcess(['doctor', '--fix'], env);
      expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
      expect(fixed.stdout).toMatch(/stripe\.webhook_endpoint\s+fixed/);
      const lines = fixed.stdout.match(/supabase secrets set STRIPE_WEBHOOK_SECRET=whsec_\w+/g) ?? [];
      expect(lines).toHaveLength(1);
      expect(fixed.stdout).toMatch(/supabase secrets set STRIPE_SETUP_FEE_PRICE_ID=price_\w+/);
      expect(fixed.stderr).not.toContain('whsec_');

      const secret = lines[0]!.split('=')[1]!;
      const feePrice = /STRIPE_SETUP_FEE_PRICE_ID=(price_\w+)/.exec(fixed.stdout)![1]!;
      const after = await cliInProcess(['doctor'], {
        ...env,
        STRIPE_WEBHOOK_SECRET: secret,
        STRIPE_SETUP_FEE_PRICE_ID: feePrice,
      });
      expect(after.code, after.stdout).toBe(0);
      expect(after.stdout).not.toMatch(/\b(problem|fixed)\b/);
      expect(after.stdout).not.toContain('supabase secrets set');
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
