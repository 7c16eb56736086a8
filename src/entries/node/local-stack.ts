/**
 * `npm start`: the whole local stack in one process (docs/design.md#local-stack-and-emulator) — the database (PGlite
 * under .data/ or DATABASE_URL), migrations and plans, the Stripe emulator (unless a real key is configured), the
 * catalog synced into it, a webhook endpoint pointing back at us, the usage deliverer, and one HTTP server with the
 * functions, the local Auth subset and the pages. Port 0 works for both ports (tests run stacks side by side).
 * Usage alerts go to SMTP_URL, else to an embedded catch-all SMTP server (SMTP_PORT) shown at /_dev/mail.
 */
import { localVoiceConfig } from '../../usecases/voice/local-demo-secrets.ts';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { ensureAuthStub } from '../../adapters/db/auth-stub.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { openDatabase } from '../../adapters/db/open-database.ts';
import { createStripeClient } from '../../adapters/stripe/client.ts';
import type { Config } from '../../config/types.ts';
import type { RunningStripeEmulator, StripeEmulatorOptions } from '@aisyst/stripe-emulator';
import { startStripeEmulatorThread } from '@aisyst/stripe-emulator/thread';
import { createApp } from '../../http/app.ts';
import { jsonResponse } from '../../http/json.ts';
import type { AppContext } from '../../usecases/context.ts';
import { allRoutes } from '../../http/routes/index.ts';
import { createPagesHandler } from '../../http/static-pages.ts';
import { createLocalAuth } from '../../local-auth/local-auth.ts';
import { ensureLocalAuthSchema } from '../../local-auth/sessions.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import { jsonLogger, type Logger } from '../../ports/logger.ts';
import type { Sql } from '../../ports/sql.ts';
import { startUsageDeliverer } from '../../usecases/deliver-usage.ts';
import { startUsageAlertDeliverer } from '../../usecases/usage-alerts/deliver-usage-alerts.ts';
import { startMailCatcher, type MailCatcher } from '../../adapters/mail/mail-catcher.ts';
import { createSmtpMailer } from '../../adapters/mail/smtp-mailer.ts';
import { DEFAULT_SMTP_PORT } from '../../config/parse-config.ts';
import { seedPlans } from '../../usecases/seed-plans.ts';
import { syncCatalog } from '../../usecases/sync-catalog.ts';
import { ensureWebhookEndpoint } from './register-webhook.ts';
import { PortInUseError, serveFetch } from './serve.ts';
import { persistedWebhookSecret } from './webhook-secret.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LocalStackOptions {
  logger?: Logger;
  /** The built pages (default web/dist of this repository). */
  webDistDir?: string;
  /** Where the emulator's state and the generated webhook secret live (default: next to the PGlite dir, or .data). */
  stateDir?: string;
  clock?: Clock;
  /** Extra emulator settings (tests shorten webhook retries). */
  emulator?: Partial<StripeEmulatorOptions>;
  /** Run the background usage deliverer (default true). */
  deliverer?: boolean;
  /** Run the background usage-alert deliverer (default true). */
  alertDeliverer?: boolean;
  /** An already open database to use instead of config.database (tests: an in-memory PGlite restored from a
   * migrated snapshot). The stack closes it on close(). */
  sql?: Sql;
}

export interface LocalStack {
  url: string;
  emulatorUrl?: string;
  emulator?: RunningStripeEmulator;
  sql: Sql;
  stripe: Stripe;
  /** Where the emulator's state and the generated webhook secret are kept. */
  stateDir: string;
  /** The configuration in effect: bound ports, generated webhook secret, synced setup fee price. */
  config: Config;
  ctx: AppContext;
  /** The catch-all SMTP server usage alerts go to when SMTP_URL is unset (/_dev/mail). */
  mailCatcher?: MailCatcher;
  close(): Promise<void>;
}

export async function startLocalStack(config: Config, opts: LocalStackOptions = {}): Promise<LocalStack> {
  const logger = opts.logger ?? jsonLogger();
  const cleanup: Array<() => Promise<void>> = [];
  // Shutdown runs in reverse start order, except that the server stops taking requests first.
  let closing: Promise<void> | undefined;
  const closeAll = () =>
    (closing ??= (async () => {
      for (const step of [() => server.close(), ...cleanup.reverse()])
        await step().catch((err: unknown) => logger.error('shutdown step failed', { cause: String(err) }));
    })());
  // Bind first: a taken port fails at once, and port 0 tells us our URL before anything needs it.
  let handle: (req: Request) => Promise<Response> = async (req) =>
    new URL(req.url).pathname === '/health'
      ? jsonResponse({ ok: false, database: config.database.kind, stripe: config.stripe.mode, starting: true }, 503, {
          'retry-after': '1',
        })
      : jsonResponse({ error: 'starting', message: 'The local stack is starting; try again in a moment.' }, 503, {
          'retry-after': '1',
        });
  const server = await serveFetch((req) => handle(req), { port: config.port, portVariable: 'PORT' });
  try {
    return await boot();
  } catch (err) {
    await closeAll();
    throw err;
  }

  async function boot(): Promise<LocalStack> {
    const url = server.url;
    const sql = opts.sql ?? (await openDatabase(config.database));
    cleanup.push(() => sql.close());
    const stubbed = await ensureAuthStub(sql);
    await migrate(sql, { logger });
    await seedPlans(sql);
    // Our Auth subset only where the auth schema is our stub, never inside a real Supabase database.
    const ownsAuth = stubbed || !(await hasSupabaseAuth(sql));
    if (ownsAuth) await ensureLocalAuthSchema(sql);

    const stateDir =
      opts.stateDir ?? (config.database.kind === 'pglite' ? dirname(resolve(config.database.dir)) : resolve('.data'));
    let emulator: RunningStripeEmulator | undefined;
    let webhookSecret = config.stripe.webhookSecret;
    if (config.stripe.mode === 'emulator' && !config.stripe.apiBase) {
      webhookSecret ??= await persistedWebhookSecret(stateDir);
      // On its own thread: its work and its state file never stall the functions' event loop.
      emulator = await startStripeEmulatorThread({
        port: config.stripeEmulatorPort,
        logger: logger.child({ component: 'stripe-emulator' }),
        stateFile: resolve(stateDir, 'stripe-emulator.json'),
        webhookSecret,
        latencyMs: config.stripeEmulatorLatencyMs ?? 0,
        ...opts.emulator,
      }).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EADDRINUSE' ? new PortInUseError(config.stripeEmulatorPort, 'STRIPE_EMULATOR_PORT') : err;
      });
      cleanup.push(() => emulator!.close());
    }
    const stripe = createStripeClient(config, emulator ? { apiBase: emulator.url } : {});

    // Live products are changed only by an operator's explicit `catalog sync --live`, never by a start.
    const catalog =
      config.stripe.mode === 'live'
        ? { setupFeePriceId: null }
        : await syncCatalog({ stripe, mode: config.stripe.mode, sql, logger });
    if (emulator || config.stripe.apiBase) {
      const endpoint = await ensureWebhookEndpoint(stripe, `${url}/functions/v1/stripe-webhook-handler`, {
        knowSecret: webhookSecret !== undefined,
      });
      // An external Stripe-compatible API (STRIPE_API_BASE) signs with the secret it made for the endpoint.
      webhookSecret ??= endpoint.secret;
    } else {
      logger.warn(
        'real Stripe: no webhook endpoint registered for a local URL; forward events with `stripe listen --forward-to <url>/functions/v1/stripe-webhook-handler`',
      );
    }
    const effective: Config = {
      ...config,
      port: server.port,
      // The default website follows the bound port (PORT=0 in tests); an explicit WEBSITE_URL stays.
      websiteUrl: config.websiteUrl === `http://127.0.0.1:${config.port}` ? url : config.websiteUrl,
      stripe: {
        ...config.stripe,
        webhookSecret,
        setupFeePriceId: config.stripe.setupFeePriceId ?? catalog.setupFeePriceId ?? undefined,
      },
      ...(emulator ? { stripeEmulatorPort: emulator.port } : {}),
      // voice-webhook/<platform>: local demo secrets where unset (not with a live key), Twilio's URL = this stack's.
      ...localVoiceConfig(config, `${url}/functions/v1`),
    };
    // Usage-alert e-mail (docs/configuration.md): to SMTP_URL when set, else to an embedded catch-all SMTP server.
    let mailCatcher: MailCatcher | undefined;
    if (!config.smtpUrl) {
      // With PORT=0 (stacks side by side, tests) the default follows: any free port, never a collision on 1025.
      const smtpPort = config.smtpPort ?? (config.port === 0 ? 0 : DEFAULT_SMTP_PORT);
      mailCatcher = await startMailCatcher(smtpPort).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EADDRINUSE' ? new PortInUseError(smtpPort, 'SMTP_PORT') : err;
      });
      cleanup.push(() => mailCatcher!.close());
    }
    const mailer = createSmtpMailer(config.smtpUrl ?? mailCatcher!.url, config.mailFrom);
    cleanup.push(() => mailer.close?.() ?? Promise.resolve());
    const pending = new Set<Promise<unknown>>();
    const ctx: AppContext = {
      mailer,
      config: effective,
      sql,
      stripe,
      clock: opts.clock ?? systemClock,
      logger,
      waitUntil(task) {
        const tracked = task
          .catch((err: unknown) => logger.error('background task failed', { cause: String(err) }))
          .finally(() => pending.delete(tracked));
        pending.add(tracked);
      },
    };
    cleanup.push(async () => {
      await Promise.allSettled([...pending]);
    });
    if (opts.deliverer !== false) {
      const deliverer = startUsageDeliverer(ctx);
      cleanup.push(() => deliverer.stop());
    }
    if (opts.alertDeliverer !== false) {
      const alertDeliverer = startUsageAlertDeliverer(ctx);
      cleanup.push(() => alertDeliverer.stop());
    }
    const app = createApp(ctx, allRoutes(), {
      pages: createPagesHandler({
        distDir: opts.webDistDir ?? resolve(REPO_ROOT, 'web/dist'),
        runtimeConfig: {
          functionsUrl: `${url}/functions/v1`,
          supabaseUrl: url,
          supabaseAnonKey: effective.auth.anonKey,
        },
      }),
      ...(ownsAuth
        ? { localAuth: createLocalAuth({ sql, config: effective, clock: ctx.clock, issuerBase: () => url }) }
        : {}),
    });
    handle = async (req) => mailCatcher?.handle(req) ?? app.fetch(req);
    return {
      url,
      ...(emulator ? { emulatorUrl: emulator.url, emulator } : {}),
      sql,
      stripe,
      stateDir,
      config: effective,
      ctx,
      ...(mailCatcher ? { mailCatcher } : {}),
      close: closeAll,
    };
  }
}

/** A real Supabase database has GoTrue's tables (auth.identities among them); our stub does not. */
async function hasSupabaseAuth(sql: Sql): Promise<boolean> {
  const rows = await sql.query(
    `select 1 from information_schema.tables where table_schema = 'auth' and table_name = 'identities'`,
  );
  return rows.length > 0;
}
