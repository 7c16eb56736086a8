/**
 * The inline attempt right after report-usage answered, short timeouts. Calls are gathered for INLINE_GATHER_MS
 * (or while every slot is busy), then the organisations they belong to are served together: ONE organisation alone
 * goes over v1 in its lane (organisation-lane.ts); two or more — up to 100 — go as one group lane
 * (`deliverForOrganisations`): one claim for all (`claim_usage_batches`), one v2 stream request for the batches that
 * fit it, v1 one at a time for the others. So delivery costs less per call as load rises instead of limiting
 * ingestion (issue 13 §0: across 1,000 organisations, a lane per reported call cost about 40 % of the stack's main
 * thread), and a quiet customer's call still goes over v1, whose answer is per event.
 * At most INLINE_SLOTS lanes run this way at once per process, each holding a database connection that ingestion
 * needs; an organisation waits once however many of its calls arrive.
 * It logs a configuration error as a warning only: one error line per reported call would bury the logs, and the
 * drain passes (the deliverer, POST deliver-usage) log it loudly once a pass.
 */
import type { AppContext } from '../context.ts';
import { DELIVERY_DEFAULTS, type DeliveryOptions, INLINE_TIMEOUT_MS, type Tally } from './delivery-settings.ts';
import { STREAM_MAX_EVENTS } from './meter-event-stream.ts';
import { deliverForOrganisation, deliverForOrganisations, joinLane, runningLane } from './organisation-lane.ts';

/** Lanes the inline attempts may run at once per process. */
export const INLINE_SLOTS = 4;
/** How long the first call waits for others to go with it. Stripe's meter is asynchronous: 20 ms change nothing. */
export const INLINE_GATHER_MS = 20;

interface Waiting {
  result: Promise<Tally>;
  settle(work: Promise<Tally>): void;
}

interface Slots {
  running: number;
  waiting: Map<string, Waiting>;
  gathering: ReturnType<typeof setTimeout> | undefined;
}

/** The inline slots, per Stripe client (one per app context). */
const slotsByClient = new WeakMap<object, Slots>();

export function deliverSoon(ctx: AppContext, orgId: string, opts: DeliveryOptions = {}): Promise<Tally> {
  const running = runningLane(ctx, orgId);
  if (running) return joinLane(running);
  let slots = slotsByClient.get(ctx.stripe);
  if (!slots) {
    slots = { running: 0, waiting: new Map(), gathering: undefined };
    slotsByClient.set(ctx.stripe, slots);
  }
  const queued = slots.waiting.get(orgId);
  if (queued) return queued.result;
  let settle!: (work: Promise<Tally>) => void;
  const result = new Promise<Tally>((resolve) => {
    settle = resolve;
  });
  slots.waiting.set(orgId, { result, settle });
  if (!slots.gathering && slots.running < INLINE_SLOTS) {
    const gathered = slots;
    gathered.gathering = setTimeout(() => {
      gathered.gathering = undefined;
      startWaiting(ctx, gathered, opts);
    }, INLINE_GATHER_MS);
  }
  return result;
}

/** Serves what waits, up to 100 organisations a slot; a freed slot takes what waited meanwhile at once. */
function startWaiting(ctx: AppContext, slots: Slots, opts: DeliveryOptions): void {
  const settings = { ...DELIVERY_DEFAULTS, timeoutMs: INLINE_TIMEOUT_MS, ...opts };
  while (slots.running < INLINE_SLOTS && slots.waiting.size > 0) {
    const group = [...slots.waiting].slice(0, STREAM_MAX_EVENTS);
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
