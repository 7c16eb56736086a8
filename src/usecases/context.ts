/**
 * The context of ports every use case receives (docs/conventions.md#layers): declared here, in the use-case layer,
 * so that HTTP, the CLI and background jobs depend on use cases and never the reverse.
 */
import type Stripe from 'stripe';
import type { Config } from '../config/types.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { Sql } from '../ports/sql.ts';

/** Everything a handler or use case may touch, passed in (never read from globals). */
export interface AppContext {
  config: Config;
  sql: Sql;
  /** The official SDK, pointed at Stripe or at the emulator. */
  stripe: Stripe;
  clock: Clock;
  logger: Logger;
  /**
   * Schedules work that must outlive the response (the inline meter delivery attempt): `EdgeRuntime.waitUntil`
   * on Supabase, a tracked promise on Node. Errors are the task's own to log.
   */
  waitUntil(task: Promise<unknown>): void;
  /** Sends the usage-alert e-mail (SMTP_URL; the local stack's catcher); absent = alerts stay queued, unsent. */
  mailer?: Mailer;
}
