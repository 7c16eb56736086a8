/**
 * GET entitlement (issue 11 §1) beside report-usage, on one stack (PostgreSQL, embedded emulator), calls spread over
 * BENCH_ORGS (default 50) subscribed organisations:
 * - each at a fixed arrival rate of 500 req/s (an open loop on a worker thread, load/open-loop.mjs: a slow answer
 *   does not slow the arrivals): p50, p99, what was served, and failures;
 * - each in a closed loop at the same concurrency: throughput, and entitlement's as a ratio of report-usage's.
 * The aim is a p99 ≤ 10 ms at 500 req/s on this machine; figures only, never an assertion.
 */
import { randomUUID } from 'node:crypto';
import { entitlementLoad, openLoop, reportUsageLoad } from './load.ts';
import type { Figure } from './run.ts';
import { settle } from './ingestion.ts';
import { benchStack, subscribedOrganisations } from './stack.ts';

const CONCURRENCY = 16;
const DURATION_S = 6;
const FIXED_RATE = 500;

export async function benchEntitlement(): Promise<Figure[]> {
  const orgCount = Number(process.env.BENCH_ORGS ?? 50);
  const { stack, close } = await benchStack();
  try {
    const orgIds = await subscribedOrganisations(stack, orgCount);
    const run = randomUUID().slice(0, 8);
    const key = stack.config.auth.serviceRoleKey;
    let runs = 0;
    const reportUsage = (options: Record<string, unknown>) =>
      reportUsageLoad(stack.url, key, orgIds, `ent-${run}-${runs++}`, options);
    const entitlement = (options: Record<string, unknown>) => entitlementLoad(stack.url, key, orgIds, options);

    const fixedRate = (kind: 'report-usage' | 'entitlement') =>
      openLoop({
        kind,
        stackUrl: stack.url,
        backendKey: key,
        orgIds,
        callPrefix: `ent-fixed-${run}`,
        rate: FIXED_RATE,
        durationS: DURATION_S,
      });
    // Entitlement first, and every report-usage run followed by a settle: its inline meter deliveries must not
    // compete with the next run.
    const entitlementFixed = await fixedRate('entitlement');
    const entitlementClosed = await entitlement({ connections: CONCURRENCY, duration: DURATION_S });
    const usageFixed = await fixedRate('report-usage');
    await settle(stack.ctx);
    const usageClosed = await reportUsage({ connections: CONCURRENCY, duration: DURATION_S });
    await settle(stack.ctx);

    return [
      { name: 'organisations', value: orgCount, unit: '' },
      { name: `report-usage at ${FIXED_RATE} req/s: p50`, value: usageFixed.p50, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: p99`, value: usageFixed.p99, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: served`, value: usageFixed.served, unit: 'req/s' },
      { name: `report-usage at ${FIXED_RATE} req/s: failed`, value: usageFixed.failed, unit: 'requests' },
      { name: `entitlement at ${FIXED_RATE} req/s: p50`, value: entitlementFixed.p50, unit: 'ms' },
      { name: `entitlement at ${FIXED_RATE} req/s: p99`, value: entitlementFixed.p99, unit: 'ms' },
      { name: `entitlement at ${FIXED_RATE} req/s: served`, value: entitlementFixed.served, unit: 'req/s' },
      { name: `entitlement at ${FIXED_RATE} req/s: failed`, value: entitlementFixed.failed, unit: 'requests' },
      { name: `report-usage (c=${CONCURRENCY})`, value: usageClosed.requests.average, unit: 'req/s' },
      { name: `entitlement (c=${CONCURRENCY})`, value: entitlementClosed.requests.average, unit: 'req/s' },
      {
        name: 'entitlement / report-usage throughput',
        value: (100 * entitlementClosed.requests.average) / usageClosed.requests.average,
        unit: '%',
      },
      {
        name: 'entitlement p99 / report-usage p99 at the fixed rate',
        value: (100 * entitlementFixed.p99) / usageFixed.p99,
        unit: '%',
      },
    ];
  } finally {
    await close();
  }
}
