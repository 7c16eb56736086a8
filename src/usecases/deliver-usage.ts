/**
 * Delivers the meter-event outbox to Stripe (docs/design.md#usage-ledger-and-meter-delivery;
 * src/usecases/usage/README.md): claim due rows (leased, SKIP LOCKED), send each as a meter event, settle it. The
 * parts, one job each, live in ./usage/: how much a claim takes (claim-batch.ts), one organisation's lane
 * (organisation-lane.ts), how an answer settles a call (delivery-outcome.ts), the inline attempt after
 * report-usage (inline-delivery.ts) and the background deliverer's timer (delivery-loop.ts). This file is a drain
 * pass: the v2 stream for a backlog (stream-delivery.ts), then every organisation with due calls, `concurrency` lanes at
 * a time.
 */
import type { AppContext } from './context.ts';
import {
  countDueUsage,
  countPendingUsage,
  listOrganisationsWithDueUsage,
  settleZeroMinuteUsage,
} from '../repositories/usage-outbox.ts';
import { startDeliveryLoop } from './usage/delivery-loop.ts';
import {
  addTally,
  DEFAULT_METER_STREAM_THRESHOLD,
  DELIVERY_DEFAULTS,
  type DeliveryOptions,
  type DeliverySettings,
  ORGANISATIONS_PER_PASS,
  type Pass,
  type Tally,
} from './usage/delivery-settings.ts';
import { deliverForOrganisation } from './usage/organisation-lane.ts';
import { drainByStream } from './usage/stream-delivery.ts';

export { claimPlan } from './usage/claim-batch.ts';
export type { DeliveryOptions } from './usage/delivery-settings.ts';
export { deliverSoon } from './usage/inline-delivery.ts';

export interface DrainResult {
  sent: number;
  failed: number;
  /** Rows still pending after the pass (not yet due, leased by another deliverer, or retrying). */
  pending: number;
}

/**
 * One pass over what is due now. When at least METER_STREAM_THRESHOLD calls are due across customers (a backlog:
 * an outage's, a busy hour's) the pass first sends over the v2 meter event stream, 100 customers' batches a request
 * (usage/stream-delivery.ts); what is left, and every pass below the threshold, goes over v1 in organisation lanes.
 * A configuration error is logged at error level once per pass.
 */
export async function drainUsageOutbox(
  ctx: AppContext,
  opts: DeliveryOptions & { streamThreshold?: number } = {},
): Promise<DrainResult> {
  const o: DeliverySettings = { ...DELIVERY_DEFAULTS, ...opts };
  const tally: Tally = { sent: await settleZeroMinuteUsage(ctx.sql), failed: 0 };
  const pass: Pass = { configurationErrorLogged: false };
  const threshold = opts.streamThreshold ?? ctx.config.meterStreamThreshold ?? DEFAULT_METER_STREAM_THRESHOLD;
  if ((await countDueUsage(ctx.sql)) >= threshold) addTally(tally, await drainByStream(ctx, o, pass));
  if (pass.configurationErrorLogged) return { ...tally, pending: await countPendingUsage(ctx.sql) };
  for (;;) {
    const orgIds = await listOrganisationsWithDueUsage(ctx.sql, ORGANISATIONS_PER_PASS);
    const queue = [...orgIds];
    const worker = async () => {
      for (let orgId = queue.shift(); orgId; orgId = queue.shift())
        addTally(tally, await deliverForOrganisation(ctx, orgId, o, pass));
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, worker));
    if (orgIds.length < ORGANISATIONS_PER_PASS) break;
  }
  return { ...tally, pending: await countPendingUsage(ctx.sql) };
}

export interface UsageDeliverer {
  stop(): Promise<void>;
  drainOnce(): Promise<DrainResult>;
}

/**
 * A long-lived deliverer (local stack, a worker): drains every `intervalMs`. Passes never overlap within one
 * deliverer; several deliverers (processes) may run at once, the claim keeps them off each other's rows.
 */
export function startUsageDeliverer(
  ctx: AppContext,
  opts: DeliveryOptions & { intervalMs?: number } = {},
): UsageDeliverer {
  return startDeliveryLoop(() => drainUsageOutbox(ctx, opts), ctx.logger, opts.intervalMs ?? 1_000);
}
