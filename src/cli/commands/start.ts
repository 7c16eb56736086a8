/**
 * `aisyst-billing start` (= `npm start`): the whole local stack, no keys needed. Prints where everything is and
 * the local keys (the anon key in full — it is public by design; the service-role key shortened), and shuts
 * down cleanly on Ctrl-C / SIGTERM.
 */
import { voiceBanner } from './voice-banner.ts';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';
import { createStripeClient } from '../../adapters/stripe/client.ts';
import { describeDatabaseUrl } from '../../config/database-url.ts';
import { readEnvWithOrigins } from '../../config/dotenv.ts';
import { withOrigins } from '../../config/origin.ts';
import { ConfigError, DEFAULT_SUPABASE_SERVICE_ROLE_KEY, parseConfig } from '../../config/parse-config.ts';
import { type LocalStack, startLocalStack } from '../../entries/node/local-stack.ts';
import type { Config } from '../../config/types.ts';
import { jsonLogger } from '../../ports/logger.ts';
import { explainStartupError } from '../startup-error.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const command: Command = {
  name: 'start',
  summary: 'run the whole local stack (database, Stripe emulator, functions, pages)',
  help: `usage: aisyst-billing start

Starts, in one process: the database (PGlite under .data/pglite, or DATABASE_URL), migrations and plans, the
Stripe emulator (unless STRIPE_SECRET_KEY is set) with the catalog synced and a webhook endpoint pointing back
here, the functions under /functions/v1/, the local Supabase Auth subset under /auth/v1/ and the pages.

Environment (and .env): PORT (54321), STRIPE_EMULATOR_PORT (12111), DATABASE_URL, PGLITE_DIR,
STRIPE_SECRET_KEY, STRIPE_API_BASE, STRIPE_WEBHOOK_SECRET, WEBSITE_URL, SUPABASE_* — see .env.example.
Voice webhooks (/functions/v1/voice-webhook/<elevenlabs|twilio|livekit>): ELEVENLABS_WEBHOOK_SECRET,
TWILIO_AUTH_TOKEN (over PUBLIC_FUNCTIONS_URL, default this stack's URL), LIVEKIT_API_KEY, LIVEKIT_API_SECRET;
unset ones get public local demo secrets (not with a live key), printed at start.
Usage-alert e-mail goes to SMTP_URL; unset, to an embedded catch-all SMTP server on SMTP_PORT (1025) whose mail
is shown at /_dev/mail (and /_dev/mail.json). PAST_DUE_GRACE_DAYS (3): entitlement's grace for past_due.
Ctrl-C stops everything cleanly.`,

  async run(args, processEnv, terminal) {
    if (args.length > 0) {
      terminal.err(`aisyst-billing start: unexpected argument '${args[0]}'\n\n${this.help}`);
      return 2;
    }
    const { env, fromDotEnv } = await readEnvWithOrigins(terminal.cwd, processEnv);
    let config: Config;
    try {
      config = parseConfig(env, { localStack: true });
    } catch (err) {
      if (err instanceof ConfigError) {
        terminal.err(withOrigins(err, fromDotEnv).message);
        return 1;
      }
      throw err;
    }
    const logger = jsonLogger((line) => terminal.out(line));
    // Something on screen before the database is reached: an unanswering host takes its connect timeout.
    terminal.out(
      `Starting the local stack (database: ${config.database.kind === 'pglite' ? `PGlite at ${config.database.dir}` : describeDatabaseUrl(config.database.url)})…`,
    );
    let stack: LocalStack;
    try {
      // A key Stripe refuses stops start-up before anything else (in live mode nothing else calls Stripe at start).
      if (config.stripe.mode !== 'emulator') await createStripeClient(config).products.list({ limit: 1 });
      stack = await startLocalStack(config, { logger });
    } catch (err) {
      terminal.err(`aisyst-billing start: ${explainStartupError(err, config, fromDotEnv)}`);
      return 1;
    }
    const webDist = resolve(REPO_ROOT, 'web/dist');
    if (!existsSync(resolve(webDist, 'index.html'))) buildPagesInBackground(terminal);
    // Secrets are never printed whole (docs/configuration.md). The default is Supabase's public local demo key, which
    // .env.example spells out, so say where a newcomer finds it to curl report-usage.
    const key = config.auth.serviceRoleKey;
    const keyHint =
      key === DEFAULT_SUPABASE_SERVICE_ROLE_KEY ? '   (local demo key: SUPABASE_SERVICE_ROLE_KEY in .env.example)' : '';
    terminal.out(`
AiSyst billing — local stack is up
  pages      ${stack.url}/pricing   (${stack.url}/dashboard)
  functions  ${stack.url}/functions/v1/<name>
  auth       ${stack.url}/auth/v1/
  health     ${stack.url}/health
  mail       ${stack.mailCatcher ? `${stack.url}/_dev/mail   (SMTP on 127.0.0.1:${stack.mailCatcher.port})` : 'SMTP_URL'}
  stripe     ${stack.emulatorUrl ? `${stack.emulatorUrl} (emulator, state in ${stack.stateDir})` : `${config.stripe.mode} mode`}
  database   ${config.database.kind === 'pglite' ? `PGlite at ${config.database.dir}` : 'PostgreSQL (DATABASE_URL)'}
  anon key          ${config.auth.anonKey}
  service-role key  ${key.slice(0, 10)}…${key.slice(-4)}${keyHint}
${voiceBanner(stack.config)}
Ctrl-C to stop.
`);
    await new Promise<void>((done) => {
      const stop = (signal: string) => {
        terminal.out(`\n${signal}: stopping…`);
        void stack.close().then(done, (err: unknown) => {
          terminal.err(`shutdown failed: ${String(err)}`);
          done();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    terminal.out('stopped.');
    return 0;
  },
};

/**
 * First start on a fresh clone: the pages are built while the API already answers (they appear when done). Through
 * the same script as `npm start`'s prestart, so the build is a production one whatever NODE_ENV this process has,
 * and takes the same lock as any other build of web/dist (a test run's, another start's) instead of racing it.
 */
function buildPagesInBackground(terminal: Terminal): void {
  terminal.out('pages: not built yet — building them in the background (npm run build:web)…');
  const script = resolve(REPO_ROOT, 'scripts/build-web-if-stale.mjs');
  const child = spawn(process.execPath, [script], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code) =>
    terminal.out(code === 0 ? 'pages: built.' : `pages: build failed (exit ${code}); run npm run build:web to see why`),
  );
  child.unref();
}
