/**
 * `aisyst-billing doctor [--fix] [--live] [--json]`: checks one environment (src/usecases/doctor/) and prints a
 * table or JSON; exit 0 when no `problem` remains, else 1.
 */
import type { Command } from '../command.ts';
import { openCommandContext } from '../command-context.ts';
import { configForStripeCommand } from '../stripe-command-config.ts';
import { ALL_CHECKS } from '../../usecases/doctor/checks/index.ts';
import { doctorExitCode, formatDoctorTable, runDoctor } from '../../usecases/doctor/runner.ts';
import type { DoctorContext } from '../../usecases/doctor/types.ts';

const HELP = `usage: aisyst-billing doctor [--fix] [--live] [--json]

Checks one environment — the variables the functions use, plus PUBLIC_FUNCTIONS_URL (the deployed functions'
base URL) — and prints one line per check: ok, fixed, problem or warning, with a hint.

  config                    every variable present; --live matches the key's mode; no local URLs with real Stripe
  database.migrations       none pending
  database.plans            every plan has the Stripe price ids its lookup keys name
  database.rls              row level security on every table
  stripe.meter              voice_call_minutes, sum, active
  stripe.prices             each plan's monthly, yearly and metered prices and tiers match the catalog
  stripe.setup_fee          STRIPE_SETUP_FEE_PRICE_ID is the active setup fee price
  stripe.webhook_endpoint   one enabled endpoint at PUBLIC_FUNCTIONS_URL/stripe-webhook-handler with exactly the
                            events the handler applies and the SDK's API version (warns about other receivers)
  stripe.webhook_secret     STRIPE_WEBHOOK_SECRET belongs to that endpoint: ok once proven (an event it delivered
                            was applied, or --fix just created it), a warning while it cannot be
  stripe.portal             a portal configuration: card update, invoice history, cancel at period end, return URL
  usage.backlog             no call pending for over 10 minutes, none failed
  webhooks.unprocessed      no Stripe event we apply left unprocessed (see stripe-events replay)
  schedule.deliver_usage    pg_cron calls deliver-usage every minute (a warning where pg_cron does not exist)
  schedule.deliver_alerts   pg_cron calls deliver-alerts every minute (a warning where pg_cron does not exist)
  schedule.reconcile        pg_cron calls reconcile daily at 04:17 UTC (a warning where pg_cron does not exist)

  --fix    repair what the API can, idempotently: catalog sync, the webhook endpoint (a new one prints its signing
           secret once, with the supabase secrets set line), the portal configuration, one delivery pass, the
           replay of unprocessed events, the pg_cron jobs and their Vault secrets
  --live   required when STRIPE_SECRET_KEY is a live key (doctor never touches live mode without it)
  --json   print {"checks": [{"id", "status", "detail", "hint"}]} instead of the table

Exit 0 when no problem remains (warnings allowed), 1 otherwise. Stripe: STRIPE_SECRET_KEY, or STRIPE_API_BASE.
Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

const FLAGS = ['--fix', '--live', '--json'];

export const command: Command = {
  name: 'doctor',
  summary: 'doctor [--fix] [--live] [--json]: check (and repair) an environment before and after going live',
  help: HELP,
  async run(args, processEnv, terminal) {
    const unknown = args.find((a) => !FLAGS.includes(a));
    if (unknown !== undefined) {
      terminal.err(`aisyst-billing doctor: unknown option '${unknown}'\n\n${HELP}`);
      return 2;
    }
    const [fix, live, json] = FLAGS.map((f) => args.includes(f)) as [boolean, boolean, boolean];
    const config = await configForStripeCommand('doctor', processEnv, terminal, {
      live,
      whatLiveChanges: 'doctor checks and repairs live mode',
    });
    if (typeof config === 'number') return config;
    const { ctx: appCtx, close } = await openCommandContext(config, 'doctor', terminal);
    const ctx: DoctorContext = { ...appCtx, live, state: { secretsToSet: [], fixesRun: new Set() } };
    try {
      const results = await runDoctor(ctx, ALL_CHECKS, { fix });
      if (json) terminal.out(JSON.stringify({ checks: results }, null, 2));
      else
        terminal.out(
          `Stripe ${config.stripe.mode}${config.stripe.apiBase ? ` at ${config.stripe.apiBase.origin}` : ''}${fix ? ' — with --fix' : ''}\n\n${formatDoctorTable(results)}`,
        );
      if (ctx.state.secretsToSet.length > 0) {
        // Shown once: Stripe never shows an endpoint's secret again. In --json mode on stderr, so stdout stays JSON.
        const text = `\nSet these secrets on the deployed functions (shown once):\n${ctx.state.secretsToSet.map((l) => `  ${l}`).join('\n')}`;
        if (json) terminal.err(text);
        else terminal.out(text);
      }
      return doctorExitCode(results);
    } finally {
      await close();
    }
  },
};
