/** A deliverer in its own process, for kill.test.ts: one drain pass against DATABASE_URL and STRIPE_API_BASE. */
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { createStripeClient } from '../../src/adapters/stripe/client.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';

const config = parseConfig({ STRIPE_API_BASE: process.env.STRIPE_API_BASE! });
const sql = openPostgres(process.env.DATABASE_URL!, { max: 2 });
const stripe = createStripeClient(config, { maxNetworkRetries: 0 });
await drainUsageOutbox({ config, sql, stripe, clock: systemClock, logger: silentLogger, waitUntil: () => {} });
await sql.close();
