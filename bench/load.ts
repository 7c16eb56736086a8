/**
 * Load on the local stack from autocannon on a worker thread: the stack's event loop serves requests while the load
 * generator runs on the other core, so the latencies measured are the server's, not a shared event loop's.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AutocannonResult, autocannon } from './autocannon.ts';

const hook = (name: string) => fileURLToPath(new URL(`./load/${name}`, import.meta.url));

function load(
  url: string,
  request: Record<string, unknown>,
  context: object,
  options: Record<string, unknown>,
): Promise<AutocannonResult> {
  // Read by the hook when autocannon starts its worker (a worker gets a copy of the environment at its start).
  process.env.BENCH_LOAD = JSON.stringify(context);
  return autocannon({ url, workers: 1, requests: [request], ...options });
}

/** POST report-usage, one new call per request, rotating over `orgIds`. */
export function reportUsageLoad(
  stackUrl: string,
  backendKey: string,
  orgIds: string[],
  callPrefix: string,
  options: Record<string, unknown>,
): Promise<AutocannonResult> {
  const request = {
    method: 'POST',
    headers: { authorization: `Bearer ${backendKey}`, 'content-type': 'application/json' },
    setupRequest: hook('report-usage-request.cjs'),
  };
  return load(`${stackUrl}/functions/v1/report-usage`, request, { orgIds, callPrefix }, options);
}

/** GET entitlement, rotating over `orgIds`. */
export function entitlementLoad(
  stackUrl: string,
  backendKey: string,
  orgIds: string[],
  options: Record<string, unknown>,
): Promise<AutocannonResult> {
  const request = {
    method: 'GET',
    headers: { authorization: `Bearer ${backendKey}` },
    setupRequest: hook('entitlement-request.cjs'),
  };
  return load(`${stackUrl}/functions/v1/entitlement`, request, { orgIds }, options);
}

export interface OpenLoopResult {
  p50: number;
  p99: number;
  /** Successful answers per second of the sending window. */
  served: number;
  /** Non-2xx answers, errors and timeouts. */
  failed: number;
}

/** A fixed arrival rate (open loop, load/open-loop.mjs) of report-usage or entitlement requests. */
export function openLoop(options: {
  kind: 'report-usage' | 'entitlement';
  stackUrl: string;
  backendKey: string;
  orgIds: string[];
  callPrefix?: string;
  rate: number;
  durationS: number;
  timeoutMs?: number;
}): Promise<OpenLoopResult> {
  const post = options.kind === 'report-usage';
  const workerData = {
    url: `${options.stackUrl}/functions/v1/${options.kind}`,
    method: post ? 'POST' : 'GET',
    headers: {
      authorization: `Bearer ${options.backendKey}`,
      ...(post ? { 'content-type': 'application/json' } : {}),
    },
    kind: options.kind,
    orgIds: options.orgIds,
    callPrefix: options.callPrefix ?? 'open-loop',
    rate: options.rate,
    durationS: options.durationS,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load/open-loop.mjs', import.meta.url), { workerData });
    worker.once('message', (result: OpenLoopResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
