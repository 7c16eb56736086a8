/**
 * `aisyst-billing smoke-test [--functions-url URL] [--timeout SECONDS]`: one customer's month end to end against a
 * running deployment (src/usecases/smoke-test/), a ✓/✗ line per step with its time; exit 0 when every step passed.
 * Test mode only: a live key is refused before anything is called.
 */
import type { Command } from '../command.ts';
import { createStripeClient } from '../../adapters/stripe/client.ts';
import { readEnv } from '../../config/dotenv.ts';
import { ConfigError, parseConfig } from '../../config/parse-config.ts';
import type { Config } from '../../config/types.ts';
import { runSmokeTest } from '../../usecases/smoke-test/run-smoke-test.ts';
import { formatStep } from '../../usecases/smoke-test/steps.ts';

const HELP = `usage: aisyst-billing smoke-test [--functions-url URL] [--timeout SECONDS]

One customer's month, end to end, against a running deployment: the local stack (npm start), or a Supabase
project on Stripe test mode. Prints a ✓/✗ line per step with its time:

  the plan (plans) and its Stripe prices; an owner signed up through Supabase Auth; an organisation
  (organisations); a Stripe customer on a test clock; a subscription paid with pm_card_visa — Checkout cannot be
  completed by API, so it subscribes directly with Checkout's items and metadata; the webhooks applied
  (billing-summary); the first invoice (month + setup fee) paid; three calls through report-usage; the ledger;
  the meter summary at Stripe after deliver-usage; the rows (usage-records); the clock past the period end; the
  renewal applied; the renewal invoice (month + overage) paid — every amount computed from the catalog, compared
  to the cent.
  Cleanup: cancels the subscription, waits for the webhook to apply that, deletes the test clock (and its
  customer). The organisation, its ledger rows and the Auth user remain (no API deletes them); the last lines
  name them.

  --functions-url URL   the functions' base URL (default PUBLIC_FUNCTIONS_URL), e.g.
                        https://<ref>.supabase.co/functions/v1 or http://localhost:54321/functions/v1
  --timeout SECONDS     how long each wait (webhooks, clock, meter, invoice) may take (default 300: Stripe
                        aggregates meter events asynchronously, and a test clock takes a while to advance)

Environment (and .env): STRIPE_SECRET_KEY (sk_test_/rk_test_; live keys are refused) or STRIPE_API_BASE (an
emulator: npm start's is http://localhost:12111); SUPABASE_URL (default: the functions URL's origin) and
SUPABASE_ANON_KEY for Auth; SUPABASE_SECRET_KEYS or SUPABASE_SERVICE_ROLE_KEY, the backend key report-usage and
deliver-usage accept; STRIPE_SETUP_FEE_PRICE_ID (else found by its lookup key). Exit 0 when every step passed.`;

export const command: Command = {
  name: 'smoke-test',
  summary: 'smoke-test [--functions-url URL]: one customer month end to end against a deployment (test mode only)',
  help: HELP,
  async run(args, processEnv, terminal) {
    const options = parseArgs(args);
    if (typeof options === 'string') {
      terminal.err(`aisyst-billing smoke-test: ${options}\n\n${HELP}`);
      return 2;
    }
    const env = await readEnv(terminal.cwd, processEnv);
    const key = env.STRIPE_SECRET_KEY?.trim() ?? '';
    if (/^(sk|rk)_live_/.test(key)) {
      terminal.err(
        'aisyst-billing smoke-test: STRIPE_SECRET_KEY is a live key. The smoke test creates customers, subscriptions and test clocks and pays with a test card: run it with a test key (sk_test_…) against a test-mode deployment, then go live with doctor --live --fix.',
      );
      return 1;
    }
    let config: Config;
    try {
      config = parseConfig(env);
    } catch (err) {
      if (err instanceof ConfigError) {
        terminal.err(err.message);
        return 1;
      }
      throw err;
    }
    if (config.stripe.mode === 'emulator' && !config.stripe.apiBase) {
      terminal.err(
        'aisyst-billing smoke-test: no Stripe configured. Set STRIPE_SECRET_KEY (a test key), or STRIPE_API_BASE to the emulator the deployment uses.',
      );
      return 1;
    }
    const functionsUrl = (options.functionsUrl ?? config.publicFunctionsUrl)?.replace(/\/+$/, '');
    if (!functionsUrl) {
      terminal.err('aisyst-billing smoke-test: give --functions-url, or set PUBLIC_FUNCTIONS_URL.');
      return 1;
    }
    const backendKey = config.auth.secretKeys[0] ?? config.auth.serviceRoleKey;
    if (!backendKey) {
      terminal.err(
        'aisyst-billing smoke-test: set SUPABASE_SECRET_KEYS or SUPABASE_SERVICE_ROLE_KEY (report-usage wants a backend key).',
      );
      return 1;
    }
    terminal.out(
      `Smoke test against ${functionsUrl} (Stripe ${config.stripe.mode}${config.stripe.apiBase ? ` at ${config.stripe.apiBase.origin}` : ''})\n`,
    );
    const report = await runSmokeTest(
      {
        stripe: createStripeClient(config),
        fetch: globalThis.fetch,
        now: () => Date.now(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      {
        functionsUrl,
        authUrl: `${config.auth.supabaseUrl ?? new URL(functionsUrl).origin}/auth/v1`,
        anonKey: config.auth.anonKey,
        backendKey,
        setupFeePriceId: config.stripe.setupFeePriceId,
        waitTimeoutMs: options.timeoutSeconds * 1000,
      },
      (result) => terminal.out(formatStep(result)),
    );
    if (report.remains.length > 0) terminal.out(`\nLeft in place:\n${report.remains.map((r) => `  ${r}`).join('\n')}`);
    terminal.out(report.ok ? '\nsmoke test passed' : '\nsmoke test FAILED');
    return report.ok ? 0 : 1;
  },
};

function parseArgs(args: string[]): { functionsUrl: string | undefined; timeoutSeconds: number } | string {
  let functionsUrl: string | undefined;
  let timeoutSeconds = 300;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = () => inline ?? args[++i];
    if (flag === '--functions-url') {
      functionsUrl = value();
      if (!functionsUrl || !/^https?:\/\//.test(functionsUrl)) return '--functions-url needs an http(s) URL';
    } else if (flag === '--timeout') {
      timeoutSeconds = Number(value());
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) return '--timeout needs a whole number of seconds';
    } else return `unknown option '${arg}'`;
  }
  return { functionsUrl, timeoutSeconds };
}
