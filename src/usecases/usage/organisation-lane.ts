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
import { claimBatch, claimBatchesOf, claimPlan } from './claim-batch.ts';
import { deliverBatch } from './delivery-outcome.ts';
import { addTally, type DeliverySettings, type Pass, type Tally } from './delivery-settings.ts';
import { deliverBatches } from './stream-delivery.ts';

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

/**
 * ONE lane for many organisations at once (the inline attempts of a busy process, inline-delivery.ts): each round
 * claims the next batch of every organisation of the group in one round trip and sends them together
 * (stream-delivery.ts `deliverBatches`: the v2 stream where a batch fits it, v1 otherwise), rounds repeating for
 * members that got a call meanwhile or filled a whole batch — the lane loop above, for many. Organisations whose own
 * lane is running are left to it. Joiners of any member wait for the whole group.
 */
export function deliverForOrganisations(
  ctx: AppContext,
  orgIds: readonly string[],
  o: DeliverySettings,
  pass: Pass,
): Promise<Tally> {
  const lanes = lanesOf(ctx);
  const members = new Map<string, Lane>();
  const waits: Promise<Tally>[] = [];
  for (const orgId of new Set(orgIds)) {
    const running = lanes.get(orgId);
    if (running) waits.push(joinLane(running));
    else members.set(orgId, { wanted: false, done: Promise.resolve({ sent: 0, failed: 0 }) });
  }
  const done = runGroupLane(ctx, members, o, pass).finally(() => {
    for (const [orgId, lane] of members) if (lanes.get(orgId) === lane) lanes.delete(orgId);
  });
  const joined = done.then(() => ({ sent: 0, failed: 0 })); // its work is counted by whoever started it
  for (const [orgId, lane] of members) {
    lane.done = joined;
    lanes.set(orgId, lane);
  }
  return Promise.all([done, ...waits]).then(([tally]) => tally);
}

async function runGroupLane(
  ctx: AppContext,
  members: Map<string, Lane>,
  o: DeliverySettings,
  pass: Pass,
): Promise<Tally> {
  const lanes = lanesOf(ctx);
  const tally: Tally = { sent: 0, failed: 0 };
  let round = [...members.keys()];
  while (round.length > 0) {
    for (const orgId of round) members.get(orgId)!.wanted = false;
    const batches = await claimBatchesOf(ctx, o, round);
    const sent = await deliverBatches(ctx, batches, o, pass);
    addTally(tally, sent.tally);
    if (sent.configuration) break;
    // Look again for whoever got a call meanwhile (`wanted`) or filled a whole batch (more is surely due). Unlike
    // runLane, an organisation with a partial batch is not claimed again just to find nothing: that second claim
    // doubled delivery's database work per call. What such a claim could still have found (calls left behind a
    // retried batch, or across a period boundary) the deliverer's next pass sends. The check and the lanes' removal
    // below run without an await between them, so no call joins a lane that is ending.
    const { maxCalls } = claimPlan(o);
    const full = new Set(batches.filter((b) => b.calls.length >= maxCalls).map((b) => b.orgId));
    round = [...members].filter(([orgId, lane]) => full.has(orgId) || lane.wanted).map(([orgId]) => orgId);
  }
  for (const [orgId, lane] of members) if (lanes.get(orgId) === lane) lanes.delete(orgId);
  return tally;
}
