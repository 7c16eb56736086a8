/**
 * A stateful Stripe emulator for the billing subset AiSyst uses (its README.md;
 * docs/design.md#local-stack-and-emulator), driven by the official SDK: `new Stripe('sk_test_…', {host: '127.0.0.1',
 * port, protocol: 'http'})`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import { Emu } from './emu.ts';
import { IdempotencyCache } from './idempotency.ts';
import { Router } from './router.ts';
import { handler } from './server.ts';
import { Store } from './store.ts';
import { Scheduler } from './billing/scheduler.ts';
import { TASK_RUNNERS } from './billing/tasks.ts';
import { WebhookDispatcher } from './webhooks/dispatch.ts';
import { ALL_ROUTES } from './routes.ts';
import { loadState, stateSaver } from './persistence.ts';
import { resumeAdvances } from './resources/test-clocks.ts';
import { MeterEventLimits, type MeterEventLimitOptions } from './limits.ts';
import { meterEventStreamRoutes, processPendingStreamEvents } from './resources/meter-event-stream.ts';

export interface StripeEmulatorOptions {
  /** 0 = a random free port; default 12111. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** One structured line per request; never secrets or card numbers. */
  logger?: Logger;
  /** Optional JSON persistence: loaded at start, saved on change (debounced) and at close. */
  stateFile?: string;
  /** When set, every webhook endpoint created signs with this secret (the local stack's STRIPE_WEBHOOK_SECRET). */
  webhookSecret?: string;
  /** Wall-clock delays between webhook delivery attempts. Stripe's real schedule spans 3 days. */
  webhookRetryScheduleMs?: number[];
  /**
   * Smart Retries, compressed: delays after each failed renewal charge, measured on the customer's clock
   * (test clock time for clock customers). Default: 7 retries over 2 weeks after the first failure = Stripe's
   * default "8 tries within 2 weeks" (docs.stripe.com/billing/revenue-recovery/smart-retries).
   */
  dunningScheduleMs?: number[];
  /** After the last failed retry: cancel the subscription (Stripe's default) or mark it `unpaid`. */
  dunningFinalAction?: 'cancel' | 'mark_unpaid';
  /**
   * Stripe's meter-event limits (limits.ts): one in-flight v1 meter event per customer and meter, 1,000 v1 calls
   * and 10,000 stream requests per second per account. On by default; `false` turns them all off.
   */
  meterEventLimits?: MeterEventLimitOptions | false;
  /** Every answer waits this many ms with uniform ±20 % jitter (latency.ts). Default 0. */
  latencyMs?: number;
  /** Validity of a v2 meter event session token. Default 15 minutes, as Stripe's. */
  meterEventSessionTtlMs?: number;
  /** Delay before meter event stream events count in summaries (Stripe processes them asynchronously). Default 1,000; 0 = at once. */
  meterEventStreamVisibilityMs?: number;
  /**
   * How long a meter event identifier is remembered (a repeat within it is refused). Stripe: at least 24 hours;
   * shorter in a test lets a retry "a day later" be accepted twice, as it may be at Stripe.
   */
  meterEventIdentifierTtlMs?: number;
}

export interface RunningStripeEmulator {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
  /** Resolves when no webhook delivery (retries included) or clock advance is in flight. Not a Stripe API. */
  waitForIdle(): Promise<void>;
}

const DAY_MS = 86_400_000;
export const DEFAULT_WEBHOOK_RETRY_MS = [1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000];
export const DEFAULT_DUNNING_MS = [1, 3, 5, 7, 9, 11, 14].map((d) => d * DAY_MS);
export const DEFAULT_METER_EVENT_SESSION_TTL_MS = 15 * 60_000;
export const DEFAULT_STREAM_VISIBILITY_MS = 1_000;
export const DEFAULT_METER_EVENT_IDENTIFIER_TTL_MS = DAY_MS;

export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const saver = options.stateFile ? stateSaver(options.stateFile, logger) : undefined;
  const store = new Store(options.stateFile ? await loadState(options.stateFile) : undefined, () =>
    saver?.schedule(store.state),
  );
  const emu = new Emu(
    store,
    {
      webhookSecret: options.webhookSecret,
      webhookRetryScheduleMs: options.webhookRetryScheduleMs ?? DEFAULT_WEBHOOK_RETRY_MS,
      dunningScheduleMs: options.dunningScheduleMs ?? DEFAULT_DUNNING_MS,
      dunningFinalAction: options.dunningFinalAction ?? 'cancel',
      latencyMs: options.latencyMs ?? 0,
      meterEventSessionTtlMs: options.meterEventSessionTtlMs ?? DEFAULT_METER_EVENT_SESSION_TTL_MS,
      meterEventStreamVisibilityMs: options.meterEventStreamVisibilityMs ?? DEFAULT_STREAM_VISIBILITY_MS,
      meterEventIdentifierTtlMs: options.meterEventIdentifierTtlMs ?? DEFAULT_METER_EVENT_IDENTIFIER_TTL_MS,
    },
    logger,
  );
  emu.limits = new MeterEventLimits(options.meterEventLimits);
  emu.scheduler = new Scheduler(emu, TASK_RUNNERS);
  emu.webhooks = new WebhookDispatcher(emu);
  const server = createServer(
    handler(emu, new Router().add(ALL_ROUTES).add(meterEventStreamRoutes), new IdempotencyCache()),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 12111, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  emu.baseUrl = url;
  emu.scheduler.start();
  resumeAdvances(emu);
  logger.info('stripe emulator listening', { url });
  return {
    url,
    port,
    host,
    waitForIdle: () => emu.waitForIdle(),
    close: async () => {
      emu.scheduler.stop();
      emu.webhooks.close();
      processPendingStreamEvents(emu);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await saver?.flush(store.state);
    },
  };
}
