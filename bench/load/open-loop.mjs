// An open-loop load generator on a worker thread: request i is due at start + i / rate, whatever the answers do, and
// its latency counts from that due time (no coordinated omission). autocannon's `overallRate` instead gives each
// connection a budget per second that it spends at once, so 500 req/s arrive as a burst at the top of each second.
import { parentPort, workerData } from 'node:worker_threads';

const { url, method, headers, kind, orgIds, callPrefix, rate, durationS, timeoutMs } = workerData;
const total = Math.round(rate * durationS);
const latencies = [];
const pending = [];
let failed = 0;

function send(i, dueAt) {
  const orgId = orgIds[i % orgIds.length];
  const target = kind === 'entitlement' ? `${url}?org_id=${orgId}` : url;
  const body =
    kind === 'report-usage'
      ? JSON.stringify({ org_id: orgId, call_id: `${callPrefix}-${i}`, call_duration_seconds: 30 })
      : undefined;
  return fetch(target, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) }).then(
    async (res) => {
      await res.arrayBuffer();
      if (res.ok) latencies.push(performance.now() - dueAt);
      else failed++;
    },
    () => {
      failed++;
    },
  );
}

const start = performance.now();
let sent = 0;
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    for (let due = start + (sent * 1000) / rate; sent < total && due <= now; due = start + (sent * 1000) / rate) {
      pending.push(send(sent, due));
      sent++;
    }
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
await Promise.all(pending);
latencies.sort((a, b) => a - b);
const quantile = (q) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN;
parentPort.postMessage({
  p50: quantile(0.5),
  p99: quantile(0.99),
  served: latencies.length / durationS,
  failed,
});
