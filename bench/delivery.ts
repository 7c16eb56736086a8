/**
 * Meter delivery against Stripe's real limits (issue 13 §3): the emulator answers after 150 ms (±20 %) and enforces
 * one in-flight v1 meter event per customer and meter and 1,000 v1 calls per second per account. A backlog of calls is
 * recorded first (as after an outage), then delivery passes run back to back until the meter's event summaries equal
 * the ledger, customer by customer. Three designs, same run, same conditions:
 * - per call (the design before batching): one v1 meter event per call, one at a time per customer, 4 customers at
 *   once. It would take tens of minutes on the full backlog, so it runs on a sample and the figure is extrapolated
 *   linearly (its time is requests × latency / parallel customers); the sample's size is in the figure's name;
 * - batched over v1 (METER_STREAM_THRESHOLD above the backlog): one event per customer per 1,000 calls;
 * - batched over the v2 stream (the default threshold, 1,000): up to 100 batches per request.
 * BENCH_LATENCY_MS (default 150) sets the emulator's latency.
 */
import { randomUUID } from 'node:crypto';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { applyAuthStub } from '../src/adapters/db/auth-stub.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { createStripeClient } from '../src/adapters/stripe/client.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { systemClock } from '../src/ports/clock.ts';
import { silentLogger } from '../src/ports/logger.ts';
import type { Sql } from '../src/ports/sql.ts';
import { recordUsage } from '../src/repositories/usage-ledger.ts';
import { drainUsageOutbox } from '../src/usecases/deliver-usage.ts';
import type { AppContext } from '../src/usecases/context.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation } from '../test/support/database-fixtures.ts';
import type { Figure } from './run.ts';
import { scratchDatabase } from './stack.ts';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 150);
const HOUR = 3_600_000;

type Design = { name: string; options: Parameters<typeof drainUsageOutbox>[1] };
const PER_CALL: Design = {
  name: 'per call (before)',
  options: { batchSize: 1, streamThreshold: Number.MAX_SAFE_INTEGER },
};
const BATCHED_V1: Design = { name: 'batched, v1', options: { streamThreshold: Number.MAX_SAFE_INTEGER } };
const BATCHED_STREAM: Design = { name: 'batched, v2 stream', options: {} };

interface World {
  ctx: AppContext;
  meterId: string;
  close(): Promise<void>;
}

/** A migrated scratch database and an emulator with Stripe's latency and limits, the meter created. */
async function world(): Promise<World> {
  const adminUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = await scratchDatabase(adminUrl);
  const sql = openPostgres(db.url, { max: 8 });
  await applyAuthStub(sql);
  await migrate(sql);
  const emulator = await startStripeEmulator({ port: 0, latencyMs: LATENCY_MS });
  const config = parseConfig({ STRIPE_API_BASE: emulator.url });
  const stripe = createStripeClient(config);
  const meter = await stripe.billing.meters.create({
    display_name: 'Voice Call Minutes',
    event_name: 'voice_call_minutes',
    default_aggregation: { formula: 'sum' },
  });
  const ctx: AppContext = { config, sql, stripe, clock: systemClock, logger: silentLogger, waitUntil: () => {} };
  return {
    ctx,
    meterId: meter.id,
    close: async () => {
      await emulator.close();
      await sql.close();
      await db.drop();
    },
  };
}

/** `count` customers at Stripe, each an organisation with a cycle around now. */
async function customers(w: World, count: number): Promise<Array<{ orgId: string; customer: string }>> {
  const out: Array<{ orgId: string; customer: string }> = [];
  const now = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (out.length < count) {
        const slot = out.length;
        out.push({ orgId: '', customer: '' });
        const customer = (await w.ctx.stripe.customers.create({ name: `Bench ${slot}` })).id;
        const { orgId } = await createUserAndOrganisation(w.ctx.sql, { stripeCustomerId: customer });
        await createSubscriptionWithCycle(w.ctx.sql, {
          orgId,
          stripeCustomerId: customer,
          periodStart: new Date(now - 10 * 24 * HOUR),
          periodEnd: new Date(now + 20 * 24 * HOUR),
        });
        out[slot] = { orgId, customer };
      }
    }),
  );
  return out;
}

/** `perCustomer` calls for each customer, ended within the last hour, recorded with record_usage (8 at a time). */
async function backlog(sql: Sql, orgs: Array<{ orgId: string }>, perCustomer: number): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const jobs = orgs.flatMap(({ orgId }) => Array.from({ length: perCustomer }, (_, i) => ({ orgId, i })));
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let job = jobs.pop(); job; job = jobs.pop()) {
        const minutes = 1 + (job.i % 5);
        await recordUsage(sql, {
          orgId: job.orgId,
          callId: `bench-${run}-${job.orgId}-${job.i}`,
          durationSeconds: String(minutes * 60 - 7),
          billedMinutes: minutes,
          endedAt: new Date(Date.now() - HOUR + (job.i % 3_000) * 1000),
        });
      }
    }),
  );
}

async function meterMatchesLedger(w: World, orgs: Array<{ orgId: string; customer: string }>): Promise<boolean> {
  const rows = await w.ctx.sql.query<{ customer: string; minutes: number }>(
    `select stripe_customer_id as customer, sum(billed_minutes)::int as minutes from usage_records group by 1`,
  );
  const ledger = new Map(rows.map((r) => [r.customer, r.minutes]));
  const hour = Math.floor(Date.now() / HOUR) * 3_600;
  const queue = [...orgs];
  let equal = true;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let o = queue.pop(); o && equal; o = queue.pop()) {
        const summaries = await w.ctx.stripe.billing.meters.listEventSummaries(w.meterId, {
          customer: o.customer,
          start_time: hour - 3 * 3_600,
          end_time: hour + 3_600,
        });
        const total = summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
        if (total !== (ledger.get(o.customer) ?? 0)) equal = false;
      }
    }),
  );
  return equal;
}

/** Seconds from the first delivery pass until the meter equals the ledger for every customer. */
async function timeToMeter(
  w: World,
  orgs: Array<{ orgId: string; customer: string }>,
  design: Design,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { pending } = await drainUsageOutbox(w.ctx, design.options);
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 50)); // a retried batch (429 under the limits) waits its backoff
  }
  while (!(await meterMatchesLedger(w, orgs))) await new Promise((r) => setTimeout(r, 100));
  return (performance.now() - started) / 1000;
}

/** One scenario, each design on a fresh world so that no design inherits another's meter. */
async function scenario(
  customerCount: number,
  perCustomer: number,
  sample: { customers: number; perCustomer: number },
) {
  const figures: Figure[] = [];
  const measure = async (design: Design, c: number, per: number) => {
    const w = await world();
    try {
      const orgs = await customers(w, c);
      await backlog(w.ctx.sql, orgs, per);
      return await timeToMeter(w, orgs, design);
    } finally {
      await w.close();
    }
  };
  const sampled = await measure(PER_CALL, sample.customers, sample.perCustomer);
  const scale = (customerCount * perCustomer) / (sample.customers * sample.perCustomer);
  const perCall = sampled * scale;
  figures.push({
    name: `${PER_CALL.name}: ${sample.customers}×${sample.perCustomer} calls measured`,
    value: sampled,
    unit: 's',
  });
  figures.push({ name: `${PER_CALL.name}: extrapolated ×${scale.toFixed(0)}`, value: perCall, unit: 's' });
  for (const design of [BATCHED_V1, BATCHED_STREAM]) {
    const seconds = await measure(design, customerCount, perCustomer);
    figures.push({ name: design.name, value: seconds, unit: 's' });
    figures.push({ name: `${design.name}: faster than per call`, value: perCall / seconds, unit: '×' });
  }
  return figures;
}

/** Seconds until the meter equals the ledger; the first figure names the conditions. */
const header = (customerCount: number, perCustomer: number): Figure[] => [
  { name: `backlog ${customerCount} × ${perCustomer} calls; emulator latency`, value: LATENCY_MS, unit: 'ms' },
];

export async function benchBacklogOneCustomer(): Promise<Figure[]> {
  return [...header(1, 10_000), ...(await scenario(1, 10_000, { customers: 1, perCustomer: 100 }))];
}

export async function benchBacklogManyCustomers(): Promise<Figure[]> {
  return [...header(200, 50), ...(await scenario(200, 50, { customers: 40, perCustomer: 5 }))];
}
