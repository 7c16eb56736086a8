/**
 * Billing functions on PostgreSQL (TEST_DATABASE_URL, else the local postgres://postgres@127.0.0.1:5432/postgres;
 * a fresh scratch database either way):
 * - report-usage over HTTP with autocannon at a fixed concurrency: requests/s, p50 and p99 latency;
 * - the same plpgsql function (`record_usage`) called directly at the same concurrency: the database's ceiling
 *   for this work, and the ratio of the two (the issue aims for HTTP ≥ 50 % of the ceiling);
 * - webhook events applied per second (signed, through HTTP, each one re-reading Stripe from the emulator).
 * Nothing here is asserted: figures only.
 */
import { randomUUID } from 'node:crypto';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { recordUsage } from '../src/repositories/usage-ledger.ts';
import { benchStack, subscribedOrganisation } from './stack.ts';
import { autocannon } from './autocannon.ts';
import type { Figure } from './run.ts';

const CONCURRENCY = 16;
const DURATION_S = 8;

export async function benchFunctions(): Promise<Figure[]> {
  const { stack, databaseUrl, close } = await benchStack();
  try {
    const orgId = await subscribedOrganisation(stack);
    await stack.emulator!.waitForIdle();
    const run = randomUUID().slice(0, 8);
    const serviceRoleKey = stack.config.auth.serviceRoleKey;

    // 1. HTTP: every request a new call of 30 s in the subscribed month.
    let n = 0;
    const http = await autocannon({
      url: `${stack.url}/functions/v1/report-usage`,
      connections: CONCURRENCY,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${serviceRoleKey}`, 'content-type': 'application/json' },
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: JSON.stringify({ org_id: orgId, call_id: `http-${run}-${n++}`, call_duration_seconds: 30 }),
          }),
        },
      ],
    });
    const non2xx = http.non2xx + http.errors;

    // 2. The database's ceiling: the same function, same concurrency, no HTTP, no auth, no Stripe.
    const pool = openPostgres(databaseUrl, { max: CONCURRENCY });
    let direct = 0;
    const until = performance.now() + DURATION_S * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = 0; performance.now() < until; i++, direct++) {
          await recordUsage(pool, {
            orgId,
            callId: `db-${run}-${w}-${i}`,
            durationSeconds: '30.000',
            billedMinutes: 1,
          });
        }
      }),
    );
    await pool.close();
    const directPerSecond = direct / DURATION_S;

    // 3. Webhooks: every event Stripe sent so far, applied again in full (stripe_events forgotten each round).
    const events = [];
    for await (const e of stack.stripe.events.list({ limit: 100 })) events.push(e);
    const secret = stack.config.stripe.webhookSecret!;
    const signed = await Promise.all(
      events.map(async (e) => {
        const body = JSON.stringify(e);
        return {
          body,
          signature: await stack.stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret }),
        };
      }),
    );
    let applied = 0;
    const started = performance.now();
    for (let round = 0; round < 5; round++) {
      await stack.sql.exec('delete from stripe_events');
      for (const e of signed) {
        const res = await fetch(`${stack.url}/functions/v1/stripe-webhook-handler`, {
          method: 'POST',
          body: e.body,
          headers: { 'stripe-signature': e.signature, 'content-type': 'application/json' },
        });
        await res.arrayBuffer();
        if (res.status === 200) applied++;
      }
    }
    const webhookPerSecond = applied / ((performance.now() - started) / 1000);

    return [
      { name: `report-usage HTTP (c=${CONCURRENCY})`, value: http.requests.average, unit: 'req/s' },
      { name: 'report-usage HTTP p50', value: http.latency.p50, unit: 'ms' },
      { name: 'report-usage HTTP p99', value: http.latency.p99, unit: 'ms' },
      { name: 'report-usage HTTP non-2xx/errors', value: non2xx, unit: 'responses' },
      { name: `record_usage() direct (c=${CONCURRENCY})`, value: directPerSecond, unit: 'calls/s' },
      { name: 'HTTP / database ceiling', value: (100 * http.requests.average) / directPerSecond, unit: '%' },
      { name: 'webhook events applied', value: webhookPerSecond, unit: 'events/s' },
    ];
  } finally {
    await close();
  }
}
