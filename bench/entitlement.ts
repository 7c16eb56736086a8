/**
 * GET entitlement (issue 11 §1) beside report-usage, on one stack (PostgreSQL, embedded emulator), calls spread over
 * BENCH_ORGS (default 50) subscribed organisations:
 * - each at a fixed arrival rate of 500 req/s (autocannon's `overallRate`: not a closed loop, so a slow answer does
 *   not slow the arrivals): p50, p99, what was served, and failures;
 * - each in a closed loop at the same concurrency: throughput, and entitlement's as a ratio of report-usage's.
 * The aim is a p99 ≤ 10 ms at 500 req/s on this machine; figures only, never an assertion.
 */
import { randomUUID } from 'node:crypto';
import { autocannon } from './autocannon.ts';
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
    const key = stack.config.auth.serviceRoleKey;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    const reportUsage = (extra: Record<string, unknown>) =>
      autocannon({
        url: `${stack.url}/functions/v1/report-usage`,
        requests: [
          {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            setupRequest: (req: Record<string, unknown>) => {
              const i = n++;
              return {
                ...req,
                body: JSON.stringify({
                  org_id: orgIds[i % orgIds.length],
                  call_id: `ent-${run}-${i}`,
                  call_duration_seconds: 30,
                }),
              };
            },
          },
        ],
        ...extra,
      });
    let m = 0;
    const entitlement = (extra: Record<string, unknown>) =>
      autocannon({
        url: `${stack.url}/functions/v1/entitlement`,
        requests: [
          {
            method: 'GET',
            headers: { authorization: `Bearer ${key}` },
            setupRequest: (req: Record<string, unknown>) => ({
              ...req,
              path: `/functions/v1/entitlement?org_id=${orgIds[m++ % orgIds.length]}`,
            }),
          },
        ],
        ...extra,
      });

    const fixedRate = { connections: 128, overallRate: FIXED_RATE, duration: DURATION_S, timeout: 10 };
    // Entitlement first, and every report-usage run followed by a settle: its inline meter deliveries must not
    // compete with the next run.
    const entitlementFixed = await entitlement(fixedRate);
    const entitlementClosed = await entitlement({ connections: CONCURRENCY, duration: DURATION_S });
    const usageFixed = await reportUsage(fixedRate);
    await settle(stack.ctx);
    const usageClosed = await reportUsage({ connections: CONCURRENCY, duration: DURATION_S });
    await settle(stack.ctx);
    const failures = (r: typeof usageFixed) => r.errors + r.timeouts + r.non2xx;

    return [
      { name: 'organisations', value: orgCount, unit: '' },
      { name: `report-usage at ${FIXED_RATE} req/s: p50`, value: usageFixed.latency.p50, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: p99`, value: usageFixed.latency.p99, unit: 'ms' },
      { name: `report-usage at ${FIXED_RATE} req/s: served`, value: usageFixed.requests.average, unit: 'req/s' },
      { name: `report-usage at ${FIXED_RATE} req/s: failed`, value: failures(usageFixed), unit: 'requests' },
      { name: `entitlement at ${FIXED_RATE} req/s: p50`, value: entitlementFixed.latency.p50, unit: 'ms' },
      { name: `entitlement at ${FIXED_RATE} req/s: p99`, value: entitlementFixed.latency.p99, unit: 'ms' },
      { name: `entitlement at ${FIXED_RATE} req/s: served`, value: entitlementFixed.requests.average, unit: 'req/s' },
      { name: `entitlement at ${FIXED_RATE} req/s: failed`, value: failures(entitlementFixed), unit: 'requests' },
      { name: `report-usage (c=${CONCURRENCY})`, value: usageClosed.requests.average, unit: 'req/s' },
      { name: `entitlement (c=${CONCURRENCY})`, value: entitlementClosed.requests.average, unit: 'req/s' },
      {
        name: 'entitlement / report-usage throughput',
        value: (100 * entitlementClosed.requests.average) / usageClosed.requests.average,
        unit: '%',
      },
      {
        name: 'entitlement p99 / report-usage p99 at the fixed rate',
        value: (100 * entitlementFixed.latency.p99) / usageFixed.latency.p99,
        unit: '%',
      },
    ];
  } finally {
    await close();
  }
}
