/** An AppContext with no database or Stripe behind it, for tests of the app's own behaviour. */
import type Stripe from 'stripe';
import { parseConfig } from '../../src/config/parse-config.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { memoryLogger } from '../../src/ports/logger.ts';
import type { Sql } from '../../src/ports/sql.ts';

export function fakeSql(query: Sql['query'] = async () => []): Sql {
  const sql: Sql = {
    dialect: 'pglite',
    query,
    exec: async () => {},
    transaction: async (work) => work(sql),
    close: async () => {},
  };
  return sql;
}

export function fakeContext(overrides: Partial<AppContext> = {}, env: Record<string, string> = {}) {
  const logger = memoryLogger();
  const ctx: AppContext = {
    config: parseConfig(env),
    sql: fakeSql(),
    stripe: {} as Stripe,
    clock: systemClock,
    logger,
    waitUntil: () => {},
    ...overrides,
  };
  return { ctx, logger };
}
