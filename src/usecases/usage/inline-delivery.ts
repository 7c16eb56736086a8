/**
 * The inline attempt right after report-usage answered: the organisation's lane (organisation-lane.ts), short
 * timeouts. At most INLINE_SLOTS lanes run this way at once per process; other organisations wait their turn, each
 * queued once: one call per organisation across hundreds of organisations would otherwise start hundreds of lanes,
 * each holding a database connection that ingestion needs.
 * When many organisations wait (INLINE_GROUP_FROM or more: the slots cannot keep up one organisation at a time), the
 * next free slot takes up to 100 of them together: one claim for all, one v2 stream request for the batches that
 * fit it (organisation-lane.ts `deliverForOrganisations`). Delivery's cost per call then falls as load rises, so it
 * never becomes what limits ingestion (issue 13 §0: one lane per call cost 40 % of the stack's CPU across 1,000
 * organisations). Below that, one organisation at a time over v1, as before.
 * It logs a configuration error as a warning only: one error line per reported call would bury the logs, and the
 * drain passes (the deliverer, POST deliver-usage) log it loudly once a pass.
 */
import type { AppContext } from '../context.ts';
import { DELIVERY_DEFAULTS, type DeliveryOptions, INLINE_TIMEOUT_MS, type Tally } from './delivery-settings.ts';
import { STREAM_MAX_EVENTS } from './meter-event-stream.ts';
import { deliverForOrganisation, deliverForOrganisations, joinLane, runningLane } from './organisation-lane.ts';

/** Lanes the inline attempts may run at once per process. */
export const INLINE_SLOTS = 4;
/** Organisations waiting for a slot from which the next slot serves them together (at most 100, one stream request). */
export const INLINE_GROUP_FROM = 2 * INLINE_SLOTS;

interface Waiting {
  result: Promise<Tally>;
  settle(work: Promise<Tally>): void;
}

interface Slots {
  running: number;
  waiting: Map<string, Waiting>;
}

/** The inline slots, per Stripe client (one per app context). */
const slotsByClient = new WeakMap<object, Slots>();

export function deliverSoon(ctx: AppContext, orgId: string, opts: DeliveryOptions = {}): Promise<Tally> {
  const running = runningLane(ctx, orgId);
  if (running) return joinLane(running);
  let slots = slotsByClient.get(ctx.stripe);
  if (!slots) {
    slots = { running: 0, waiting: new Map() };
    slotsByClient.set(ctx.stripe, slots);
  }
  const queued = slots.waiting.get(orgId);
  if (queued) return queued.result;
  let settle!: (work: Promise<Tally>) => void;
  const result = new Promise<Tally>((resolve) => {
    settle = resolve;
  });
  slots.waiting.set(orgId, { result, settle });
  startWaiting(ctx, slots, opts);
  return result;
}

function startWaiting(ctx: AppContext, slots: Slots, opts: DeliveryOptions): void {
  const settings = { ...DELIVERY_DEFAULTS, timeoutMs: INLINE_TIMEOUT_MS, ...opts };
  while (slots.running < INLINE_SLOTS && slots.waiting.size > 0) {
    const take = slots.waiting.size >= INLINE_GROUP_FROM ? STREAM_MAX_EVENTS : 1;
    const group = [...slots.waiting].slice(0, take);
    for (const [orgId] of group) slots.waiting.delete(orgId);
    const pass = { configurationErrorLogged: true };
    const work =
      group.length === 1
        ? deliverForOrganisation(ctx, group[0]![0], settings, pass)
        : // The group's v1 batches (those the stream cannot vouch for) go one at a time: one slot, one request.
          deliverForOrganisations(
            ctx,
            group.map(([orgId]) => orgId),
            { ...settings, concurrency: 1 },
            pass,
          );
    for (const [, waiting] of group) waiting.settle(work);
    slots.running++;
    void work
      .catch(() => undefined) // each waiting caller got `work` and sees its failure
      .finally(() => {
        slots.running--;
        startWaiting(ctx, slots, opts);
      });
  }
}
