/**
 * What every Supabase Edge Function entry shares (capgo's pattern: a thin index.ts over one app): config from
 * `Deno.env.toObject()` parsed once, postgres.js through the pooler (DATABASE_URL, else SUPABASE_DB_URL which
 * Supabase sets), the Stripe SDK on fetch, and the same `(Request) → Response` app as the local stack, serving
 * just this function. The hosted runtime hands us `/<name>` (it strips /functions/v1), hence `serveAtRoot`.
 */
import Stripe from 'stripe';
import { openPostgres } from '../../../src/adapters/db/postgres.ts';
import { createStripeClient } from '../../../src/adapters/stripe/client.ts';
import { ConfigError, parseConfig } from '../../../src/config/parse-config.ts';
import { createApp, type App } from '../../../src/http/app.ts';
import { jsonResponse } from '../../../src/http/json.ts';
import type { AppContext } from '../../../src/http/route.ts';
import { allRoutes } from '../../../src/http/routes/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { jsonLogger } from '../../../src/ports/logger.ts';

type Env = Record<string, string | undefined>;

declare const EdgeRuntime: { waitUntil(task: Promise<unknown>): void } | undefined;

export function createFunctionApp(name: string, env: Env): App {
  const logger = jsonLogger((line) => console.log(line), { function: name });
  const route = allRoutes().find((r) => r.name === name);
  if (!route) throw new Error(`no function named ${name}`);
  let config;
  let databaseUrl: string;
  try {
    config = parseConfig({ ...env, DATABASE_URL: env.DATABASE_URL || env.SUPABASE_DB_URL });
    const problems = [
      // Deployed, "no key" would silently mean our local emulator's fake key against api.stripe.com.
      ...(config.stripe.mode === 'emulator' && !config.stripe.apiBase ? ['STRIPE_SECRET_KEY is required for a deployed function (or STRIPE_API_BASE for an emulator)'] : []),
      ...(config.database.kind !== 'postgres' ? ['DATABASE_URL (or SUPABASE_DB_URL) is required for a deployed function'] : []),
      // The local default (http://127.0.0.1:54321) would send paying customers back to localhost after Checkout.
      ...(!env.WEBSITE_URL?.trim() ? ['WEBSITE_URL is required for a deployed function (Checkout returns there)'] : []),
    ];
    if (problems.length > 0 || config.database.kind !== 'postgres') throw new ConfigError(problems);
    databaseUrl = config.database.url;
  } catch (err) {
    // A misconfigured function answers every request with a bare 500; the log names the variables (never values).
    logger.error('configuration invalid', { problems: err instanceof ConfigError ? err.problems : [String(err)] });
    return { fetch: async () => jsonResponse({ error: 'internal', message: 'This function is not configured. The operator has been told why in the logs.' }, 500) };
  }
  const ctx: AppContext = {
    config,
    sql: openPostgres(databaseUrl, { max: 3 }),
    stripe: createStripeClient(config, { httpClient: Stripe.createFetchHttpClient() }),
    clock: systemClock,
    logger,
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
