/**
 * What every Supabase Edge Function entry shares (capgo's pattern: a thin index.ts over one app): config from
 * `Deno.env.toObject()` parsed once, postgres.js through the pooler (DATABASE_URL, else SUPABASE_DB_URL which
 * Supabase sets), the Stripe SDK on fetch, and the same `(Request) → Response` app as the local stack, serving
 * just this function. The hosted runtime hands us `/<name>` (it strips /functions/v1), hence `serveAtRoot`.
 */
import Stripe from 'stripe';
import { openPostgres } from '../../../src/adapters/db/postgres.ts';
import { createStripeClient } from '../../../src/adapters/stripe/client.ts';
import { createSmtpMailer } from '../../../src/adapters/mail/smtp-mailer.ts';
import { ConfigError, parseConfig } from '../../../src/config/parse-config.ts';
import type { Config } from '../../../src/config/types.ts';
import { refusedPublicDefaults } from '../../../src/adapters/auth/jwt-keys.ts';
import { createApp, type App } from '../../../src/http/app.ts';
import { jsonResponse } from '../../../src/http/json.ts';
import type { AppContext } from '../../../src/usecases/context.ts';
import { allRoutes } from '../../../src/http/routes/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { jsonLogger } from '../../../src/ports/logger.ts';

type Env = Record<string, string | undefined>;

declare const EdgeRuntime: { waitUntil(task: Promise<unknown>): void } | undefined;
// The two Deno APIs used below, declared here so that Node-side tests (which import createFunctionApp) type-check.
declare const Deno: { env: { toObject(): Env }; serve(handler: (request: Request) => Promise<Response>): unknown };

export function createFunctionApp(name: string, env: Env): App {
  const logger = jsonLogger((line) => console.log(line), { function: name });
  const route = allRoutes().find((r) => r.name === name);
  if (!route) throw new Error(`no function named ${name}`);
  let config: Config;
  let databaseUrl: string;
  try {
    config = parseConfig({ ...env, DATABASE_URL: env.DATABASE_URL || env.SUPABASE_DB_URL });
    const problems = [
      // Deployed, "no key" would silently mean our local emulator's fake key against api.stripe.com.
      ...(config.stripe.mode === 'emulator' && !config.stripe.apiBase
        ? ['STRIPE_SECRET_KEY is required for a deployed function (or STRIPE_API_BASE for an emulator)']
        : []),
      ...(config.database.kind !== 'postgres'
        ? ['DATABASE_URL (or SUPABASE_DB_URL) is required for a deployed function']
        : []),
      // The local default (http://127.0.0.1:54321) would send paying customers back to localhost after Checkout.
      ...(!env.WEBSITE_URL?.trim() ? ['WEBSITE_URL is required for a deployed function (Checkout returns there)'] : []),
    ];
    if (problems.length > 0 || config.database.kind !== 'postgres') throw new ConfigError(problems);
    databaseUrl = config.database.url;
    // Deployed, the public local secret and demo service-role key are refused whatever SUPABASE_URL says
    // (self-hosted sets http://kong:8000); callers relying on them get 401, the operator this one line.
    config = { ...config, auth: { ...config.auth, deployed: true } };
  } catch (err) {
    // A misconfigured function answers every request with a bare 500; the log names the variables (never values).
    logger.error('configuration invalid', { problems: err instanceof ConfigError ? err.problems : [String(err)] });
    return {
      fetch: async () =>
        jsonResponse(
          {
            error: 'internal',
            message: 'This function is not configured. The operator has been told why in the logs.',
          },
          500,
        ),
    };
  }
  const refused = refusedPublicDefaults(config.auth);
  if (refused.length > 0) {
    logger.error('configuration insecure: public local Supabase defaults are refused', {
      variables: refused,
      fix: "set the project's own JWT secret / keys (or SUPABASE_JWKS / SUPABASE_SECRET_KEYS)",
    });
  }
  const ctx: AppContext = {
    config,
    sql: openPostgres(databaseUrl, { max: 3 }),
    stripe: createStripeClient(config, { httpClient: Stripe.createFetchHttpClient() }),
    clock: systemClock,
    logger,
    // Usage-alert e-mail only where SMTP_URL is set; without it alerts wait in their outbox.
    ...(config.smtpUrl ? { mailer: createSmtpMailer(config.smtpUrl, config.mailFrom) } : {}),
    waitUntil(task) {
      const guarded = task.catch((err: unknown) => logger.error('background task failed', { cause: String(err) }));
      if (typeof EdgeRuntime !== 'undefined') EdgeRuntime.waitUntil(guarded);
    },
  };
  return createApp(ctx, [route], { serveAtRoot: true });
}

/** The whole body of supabase/functions/<name>/index.ts. */
export function serveFunction(name: string): void {
  const app = createFunctionApp(name, Deno.env.toObject());
  Deno.serve((request) => app.fetch(request));
}
