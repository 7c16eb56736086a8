/**
 * Ingestion across many organisations (issue 13 §0/§3), on PostgreSQL with the local stack and its embedded emulator:
 * - `report-usage` over HTTP at a fixed concurrency, calls spread over every organisation, beside `record_usage()`
 *   called directly over SQL at the same concurrency (the database's ceiling for this work), and their ratio: the
 *   median of three adjacent pairs, with the lowest and highest;
 * - `report-usage` at a fixed arrival rate (an open loop on a worker thread, load/open-loop.mjs):
 *   p50, p99 and the requests that failed or timed out.
 * One organisation hides contention that many organisations show (every call would wait on one row lock, and
 * inline deliveries would coalesce), so the calls rotate over all of them.
 * - the database's cost of claiming new batches for 50 organisations: in one group claim (what a busy process's
 *   inline attempts do) beside one claim per organisation.
 * BENCH_ORGS (default 1,000) sets how many organisations subscribe first.
 * Throughput on a shared 2-core machine swings with its load; the CPU time the stack's main thread spends per request
 * (delivery of every call included) swings far less, so it is reported too, beside the same thread's time per
 * direct call (the background deliverer sends the direct calls meanwhile, on that thread too).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { openPostgres } from '../src/adapters/db/postgres.ts';
import { recordUsage } from '../src/repositories/usage-ledger.ts';
import { openLoop, reportUsageLoad } from './load.ts';
import type { Figure } from './run.ts';
import { benchStack, subscribedOrganisations } from './stack.ts';

const CONCURRENCY = 16;
const DURATION_S = 8;
/** HTTP and direct throughput, measured in this many adjacent pairs of ROUND_S seconds each. */
const ROUNDS = 3;
const ROUND_S = 6;
const FIXED_RATE = 500;

export async function benchIngestion(): Promise<Figure[]> {
  const orgCount = Number(process.env.BENCH_ORGS ?? 1_000);
  const { stack, databaseUrl, close } = await benchStack();
  try {
    const orgIds = await subscribedOrganisations(stack, orgCount);
    const run = randomUUID().slice(0, 8);
    const reportUsage = (prefix: string, options: Record<string, unknown>) =>
      reportUsageLoad(stack.url, stack.config.auth.serviceRoleKey, orgIds, `${prefix}-${run}`, options);

    // The ratio of two throughputs measured one after the other drifts with the machine's load (runs of one pair
    // ranged 54-71 % on the same code). So the pair is measured in adjacent rounds and the median ratio reported.
    const pool = openPostgres(databaseUrl, { max: CONCURRENCY });
    const rounds: Array<{ http: number; direct: number }> = [];
    let httpRequests = 0;
    let httpCpuMs = 0;
    let directCalls = 0;
    let directCpuMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const httpCpu = mainThreadCpuMs();
      const closed = await reportUsage(`http${round}`, { connections: CONCURRENCY, duration: ROUND_S });
      await settle(stack.ctx);
      httpCpuMs += mainThreadCpuMs() - httpCpu;
      httpRequests += closed.requests.total;

      let direct = 0;
      const directCpu = mainThreadCpuMs();
      const until = performance.now() + ROUND_S * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, w) => {
          for (let i = 0; performance.now() < until; i++, direct++) {
            await recordUsage(pool, {
              orgId: orgIds[(w * 7919 + i) % orgIds.length]!,
              callId: `db-${run}-${round}-${w}-${i}`,
              durationSeconds: '30.000',
              billedMinutes: 1,
            });
          }
        }),
      );
      directCpuMs += mainThreadCpuMs() - directCpu;
      directCalls += direct;
      // The deliverer sends the direct calls too: let it finish before the next round's HTTP phase competes with it.
      await settle(stack.ctx);
      rounds.push({ http: closed.requests.average, direct: direct / ROUND_S });
    }
    await pool.close();
    const ratios = rounds.map((r) => (100 * r.http) / r.direct);
    const httpCpuPerRequest = httpCpuMs / httpRequests;
    const directCpuPerCall = directCpuMs / directCalls;

    const fixed = await openLoop({
      kind: 'report-usage',
      stackUrl: stack.url,
      backendKey: stack.config.auth.serviceRoleKey,
      orgIds,
      callPrefix: `fixed-${run}`,
      rate: FIXED_RATE,
      durationS: DURATION_S,
    });
    await settle(stack.ctx);
    const claim = await claimCost(openPostgres(databaseUrl, { max: 1 }), orgIds.slice(0, CLAIM_GROUP), run);

    return [
      { name: `organisations`, value: orgCount, unit: '' },
      {
        name: `report-usage HTTP (c=${CONCURRENCY}, spread), median of ${ROUNDS} rounds`,
        value: median(rounds.map((r) => r.http)),
        unit: 'req/s',
      },
      {
        name: `record_usage() direct (c=${CONCURRENCY}, spread), median of ${ROUNDS} rounds`,
        value: median(rounds.map((r) => r.direct)),
        unit: 'calls/s',
      },
      { name: 'HTTP / database ceiling, median of the rounds', value: median(ratios), unit: '%' },
      { name: 'HTTP / database ceiling, lowest round', value: Math.min(...ratios), unit: '%' },
      { name: 'HTTP / database ceiling, highest round', value: Math.max(...ratios), unit: '%' },
      { name: 'main thread CPU per report-usage (delivery included)', value: httpCpuPerRequest, unit: 'ms' },
      { name: 'main thread CPU per direct record_usage()', value: directCpuPerCall, unit: 'ms' },
      { name: 'report-usage CPU ÷ direct call CPU', value: httpCpuPerRequest / directCpuPerCall, unit: '×' },
      { name: `report-usage at ${FIXED_RATE} req/s: p50`, value: fixed.p50, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: p99`, value: fixed.p99, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: served`, value: fixed.served, unit: 'req/s' },
      {
        name: `report-usage at ${FIXED_RATE} req/s: errors+timeouts+non-2xx`,
        value: fixed.failed,
        unit: 'requests',
      },
      { name: `claim, one organisation at a time (${CLAIM_GROUP} new batches)`, value: claim.oneByOne, unit: 'µs/org' },
      { name: `claim, ${CLAIM_GROUP} organisations as one group`, value: claim.group, unit: 'µs/org' },
      { name: 'group claim ÷ one at a time', value: claim.group / claim.oneByOne, unit: '×' },
    ];
  } finally {
    await close();
  }
}

const CLAIM_GROUP = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The database's cost of claiming one new batch for each of `orgIds`: as the group lane does
 * (`claim_usage_batches`), and one organisation at a time as a lane does (`claim_usage_batch`). Each organisation
 * gets one pending call, recorded and deferred in one transaction so that the stack's deliverer leaves it alone; each
 * timed claim makes the calls due and is rolled back, so every repetition claims the same calls.
 */
async function claimCost(pool: ReturnType<typeof openPostgres>, orgIds: string[], run: string) {
  const reps = 40;
  const callIds = orgIds.map((_, i) => `claim-${run}-${i}`);
  await pool.transaction(async (tx) => {
    for (const [i, orgId] of orgIds.entries())
      await recordUsage(tx, { orgId, callId: callIds[i]!, durationSeconds: '60.000', billedMinutes: 1 });
    await tx.query(
      `update usage_records set stripe_next_attempt_at = now() + interval '1 day' where call_id = any ($1)`,
      [callIds],
    );
  });
  const batchIds = orgIds.map((_, i) => `bench-${run}-${i}`);
  const claims = {
    oneByOne: `select count(*)::int as n from unnest($1::uuid[], $2::text[]) o(org, batch)
                 cross join lateral claim_usage_batch(o.org, 100, 60, o.batch, now() - interval '35 days')`,
    group: `select count(*)::int as n from claim_usage_batches($1::uuid[], $2::text[], 100, 60, now() - interval '35 days')`,
  };
  const undone = new Error('rolled back on purpose');
  const timed = async (text: string) => {
    const started = performance.now();
    for (let r = 0; r < reps; r++) {
      await pool
        .transaction(async (tx) => {
          await tx.query(
            `update usage_records set stripe_next_attempt_at = now() - interval '1 second' where call_id = any ($1)`,
            [callIds],
          );
          const [row] = await tx.query<{ n: number }>(text, [orgIds, batchIds]);
          if (row?.n !== orgIds.length) throw new Error(`claimed ${row?.n} calls, not ${orgIds.length}`);
          throw undone;
        })
        .catch((error) => {
          if (error !== undone) throw error;
        });
    }
    return ((performance.now() - started) * 1000) / reps / orgIds.length;
  };
  try {
    await timed(claims.group); // warm both plans and caches first
    await timed(claims.oneByOne);
    return { oneByOne: await timed(claims.oneByOne), group: await timed(claims.group) };
  } finally {
    await pool.close();
  }
}

/**
 * CPU time of this process's main thread (the stack's event loop and the direct loop both run on it), from Linux's
 * per-thread counters; elsewhere the whole process's, which also counts the emulator's and the load's threads.
 */
function mainThreadCpuMs(): number {
  const stat = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(stat)) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 a second on Linux).
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Let inline deliveries of the previous run finish, so that one run's backlog does not slow the next. */
export async function settle(ctx: { sql: { query<R>(q: string): Promise<R[]> } }): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [row] = await ctx.sql.query<{ n: number }>(
      `select count(*)::int as n from usage_records where stripe_status = 'pending'`,
    );
    if ((row?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
