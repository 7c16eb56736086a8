/**
 * The use cases' context for an operator command: its database, the Stripe client, the system clock, JSON log lines
 * on the terminal's stderr (stdout is the command's answer), and background work (an inline delivery) awaited before it exits.
 */
import { openDatabase } from '../adapters/db/open-database.ts';
import { createStripeClient } from '../adapters/stripe/client.ts';
import type { Config } from '../config/types.ts';
import { systemClock } from '../ports/clock.ts';
import { jsonLogger } from '../ports/logger.ts';
import type { AppContext } from '../usecases/context.ts';
import type { Terminal } from './terminal.ts';

export interface CommandContext {
  ctx: AppContext;
  /** Waits for the background work started, then closes the database. */
  close(): Promise<void>;
}

/** `existing`: the command needs a migrated database, so a PGLITE_DIR without one is not created (open-database.ts). */
export async function openCommandContext(
  config: Config,
  command: string,
  terminal: Terminal,
  options: { existing?: boolean } = {},
): Promise<CommandContext> {
  const logger = jsonLogger((line) => terminal.err(line), { command });
  const pending = new Set<Promise<unknown>>();
  const sql = await openDatabase(config.database, options);
  const ctx: AppContext = {
    config,
    sql,
    stripe: createStripeClient(config),
    clock: systemClock,
    logger,
    waitUntil(task) {
      const tracked = task
        .catch((err: unknown) => logger.error('background task failed', { cause: String(err) }))
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  return {
    ctx,
    async close() {
      await Promise.allSettled([...pending]);
      await sql.close();
    },
  };
}
