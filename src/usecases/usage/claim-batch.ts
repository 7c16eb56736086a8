/**
 * How many rows a lane claims at once and for how long. The lease must outlast sending the whole claimed batch, or
 * another deliverer would claim and send rows this lane has not reached yet. A row costs at most two requests (the
 * timestamped one and the `-now` resend), each up to `timeoutMs`, with no SDK retries inside a lane. So the claim
 * is cut to what the lease covers: 7 rows for the background deliverer (2 × 20 s each in 300 s), 48 inline (2 × 3 s).
 */
import type { DeliverySettings } from './delivery-settings.ts';

/** Slack in a lease for the database statements around the requests. */
const LEASE_MARGIN_SECONDS = 10;

export function claimPlan(o: Pick<DeliverySettings, 'batchSize' | 'leaseSeconds' | 'timeoutMs'>): {
  limit: number;
  leaseSeconds: number;
} {
  const rowSeconds = (2 * o.timeoutMs) / 1000;
  const leaseSeconds = Math.max(o.leaseSeconds, Math.ceil(rowSeconds + LEASE_MARGIN_SECONDS));
  const limit = Math.max(1, Math.min(o.batchSize, Math.floor((leaseSeconds - LEASE_MARGIN_SECONDS) / rowSeconds)));
  return { limit, leaseSeconds };
}
