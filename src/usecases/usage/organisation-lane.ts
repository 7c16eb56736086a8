/**
 * One LANE per organisation (= one Stripe customer) per process: Stripe allows one concurrent meter-event request
 * per customer and meter (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api#rate-limits), so a
 * lane sends that organisation's due batches one after another until none is left, and whoever wants delivery for
 * an organisation whose lane is running (the inline attempt after report-usage, a drain pass) joins it instead of
 * sending in parallel. Under load this also coalesces: a burst of calls from one customer becomes a few batches in
 * one lane, not one Stripe round trip per HTTP request. (How many lanes the inline attempts may start at once is a
 * different limit: the inline SLOTS of inline-delivery.ts.)
 */
import type { AppContext } from '../context.ts';
import { claimBatch } from './claim-batch.ts';
import { deliverBatch } from './delivery-outcome.ts';
import type { DeliverySettings, Pass, Tally } from './delivery-settings.ts';

interface Lane {
  done: Promise<Tally>;
  /** Someone asked for delivery while the lane ran: look once more before ending. */
  wanted: boolean;
}

/** Running lanes by organisation, per Stripe client (one per app context). */
const lanesByClient = new WeakMap<object, Map<string, Lane>>();

function lanesOf(ctx: AppContext): Map<string, Lane> {
  let lanes = lanesByClient.get(ctx.stripe);
  if (!lanes) {
    lanes = new Map();
    lanesByClient.set(ctx.stripe, lanes);
  }
  return lanes;
}

/** The organisation's running lane, if any: joining it (see joinLane) is all a caller needs. */
export const runningLane = (ctx: AppContext, orgId: string): Lane | undefined =>
  lanesByClient.get(ctx.stripe)?.get(orgId);

export function joinLane(running: Lane): Promise<Tally> {
  running.wanted = true;
  return running.done.then(() => ({ sent: 0, failed: 0 })); // its work is counted by whoever started it
}

/** Joins the organisation's running lane, or starts one. */
export function deliverForOrganisation(
  ctx: AppContext,
  orgId: string,
  o: DeliverySettings,
  pass: Pass,
): Promise<Tally> {
  const lanes = lanesOf(ctx);
  const running = lanes.get(orgId);
  if (running) return joinLane(running);
  const lane: Lane = { wanted: false, done: Promise.resolve({ sent: 0, failed: 0 }) };
  lanes.set(orgId, lane);
  lane.done = runLane(ctx, orgId, o, lane, pass).finally(() => {
    if (lanes.get(orgId) === lane) lanes.delete(orgId); // after a failure; a clean end removed it already
  });
  return lane.done;
}

async function runLane(ctx: AppContext, orgId: string, o: DeliverySettings, lane: Lane, pass: Pass): Promise<Tally> {
  const lanes = lanesOf(ctx);
  const tally: Tally = { sent: 0, failed: 0 };
  for (;;) {
    const batch = await claimBatch(ctx, o, orgId);
    if (!batch) {
      // Nothing was due at the claim (retried batches are not due yet). A call recorded since had its inline attempt
      // join this lane and set `wanted`: look once more. The check and the removal run without an await between
      // them, so no request can join a lane that is ending.
      if (!lane.wanted) {
        lanes.delete(orgId);
        return tally;
      }
      lane.wanted = false;
      continue;
    }
    const outcome = await deliverBatch(ctx, batch, o, pass);
    if (outcome === 'configuration') {
      // Every other batch would fail the same way: leave them for the next pass (no request).
      lanes.delete(orgId);
      return tally;
    }
    if (outcome !== 'retry') tally[outcome] += batch.calls.length;
  }
}
