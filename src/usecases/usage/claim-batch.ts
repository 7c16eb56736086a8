/**
 * Claiming the next batch (repositories/usage-outbox.ts `claimUsageBatch`) and how long its lease lasts. The lease
 * must outlast sending the batch, or another deliverer would claim and send it too: a batch is one meter event, at
 * most two requests (the timestamped one and the `-now` resend), each up to `timeoutMs`, with no SDK retries inside
 * a lane; a v2 stream request (one per up to 100 batches) is one request plus, after an expired session, a new
 * session and a resend. So the lease is at least 2 × timeout + a margin, whatever the batch's size.
 */
import type { AppContext } from '../context.ts';
import { claimUsageBatch, claimUsageBatches } from '../../repositories/usage-outbox.ts';
import type { DeliverySettings } from './delivery-settings.ts';
import { type MeterBatch, newBatchId, toBatch, toBatches } from './meter-batch.ts';
import { STRIPE_PAST_WINDOW_MS } from './send-meter-event.ts';

/** Slack in a lease for the database statements around the requests. */
const LEASE_MARGIN_SECONDS = 10;

export function claimPlan(o: Pick<DeliverySettings, 'batchSize' | 'leaseSeconds' | 'timeoutMs'>): {
  maxCalls: number;
  leaseSeconds: number;
} {
  const requestSeconds = (2 * o.timeoutMs) / 1000;
  const leaseSeconds = Math.max(o.leaseSeconds, Math.ceil(requestSeconds + LEASE_MARGIN_SECONDS));
  return { maxCalls: Math.max(1, o.batchSize), leaseSeconds };
}

/** The next due batch (of `orgId`, or of any organisation), claimed and leased; undefined when none is due. */
export async function claimBatch(
  ctx: AppContext,
  o: Pick<DeliverySettings, 'batchSize' | 'leaseSeconds' | 'timeoutMs'>,
  orgId?: string,
): Promise<MeterBatch | undefined> {
  const rows = await claimUsageBatch(ctx.sql, {
    ...claimPlan(o),
    newBatchId: newBatchId(),
    oldestEndedAt: new Date(ctx.clock.now().getTime() - STRIPE_PAST_WINDOW_MS),
    orgId,
  });
  return toBatch(rows);
}

/** The next due batch of each of `orgIds` (none for an organisation with nothing due), claimed in one round trip. */
export async function claimBatchesOf(
  ctx: AppContext,
  o: Pick<DeliverySettings, 'batchSize' | 'leaseSeconds' | 'timeoutMs'>,
  orgIds: string[],
): Promise<MeterBatch[]> {
  const rows = await claimUsageBatches(ctx.sql, {
    ...claimPlan(o),
    orgIds,
    newBatchIds: orgIds.map(() => newBatchId()),
    oldestEndedAt: new Date(ctx.clock.now().getTime() - STRIPE_PAST_WINDOW_MS),
  });
  return toBatches(rows);
}
