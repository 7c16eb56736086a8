/**
 * The inline attempt right after report-usage answered, short timeouts. Calls are gathered first, then the
 * organisations they belong to are served together: ONE organisation alone goes over v1 in its lane
 * (organisation-lane.ts); two or more — up to 100 — go as one group lane (`deliverForOrganisations`): one claim for
 * all (`claim_usage_batches`), one v2 stream request for the batches that fit it, v1 one at a time for the others.
 * So delivery costs less per call as load rises instead of limiting ingestion (issue 13 §0: across 1,000
 * organisations, a lane per reported call cost about 40 % of the stack's main thread), and a quiet customer's call
 * still goes over v1, whose answer is per event.
 *
 * How long a gathering lasts (a debounce with a ceiling): it ends INLINE_GATHER_MS after the last organisation
 * joined it, INLINE_GATHER_MAX_MS after it began, or at once when a full stream request (100 organisations) waits.
 * A quiet process sends a lone call after 20 ms; a busy one, where organisations join more often than every 20 ms,
 * fills stream requests instead of sending a dozen events each (`npm run bench Ingestion`, 1,000 organisations:
 * report-usage over HTTP rose from 54–59 % of the direct calls' throughput to 75–79 %, on the same machine the same
 * day). Nothing waits on the meter: Stripe aggregates meter events asynchronously, and our ledger answers for usage.
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
/** A gathering ends this long after the last organisation joined it... */
export const INLINE_GATHER_MS = 20;
/** ...and at the latest this long after it began, however many keep joining. */
export const INLINE_GATHER_MAX_MS = 250;

/** How long a gathering lasts (tests stretch it to make arrivals' timing irrelevant). */
export interface GatherTiming {
  quietMs: number;
  maxMs: number;
}

export type InlineDeliveryOptions = DeliveryOptions & { gathering?: GatherTiming };

interface Waiting {
  result: Promise<Tally>;
  settle(work: Promise<Tally>): void;
}

interface Gathering {
  timer: ReturnType<typeof setTimeout>;
  lastJoined: number;
}

interface Slots {
  running: number;
  waiting: Map<string, Waiting>;
  gathering: Gathering | undefined;
}

/** The inline slots, per Stripe client (one per app context). */
const slotsByClient = new WeakMap<object, Slots>();

export function deliverSoon(ctx: AppContext, orgId: string, opts: InlineDeliveryOptions = {}): Promise<Tally> {
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
  if (slots.running >= INLINE_SLOTS) return result; // a freed slot takes what waits (startWaiting)
  if (slots.waiting.size >= STREAM_MAX_EVENTS) {
    endGathering(slots);
    startWaiting(ctx, slots, opts);
  } else if (slots.gathering) slots.gathering.lastJoined = performance.now();
  else gather(ctx, slots, opts);
  return result;
}

function gather(ctx: AppContext, slots: Slots, opts: InlineDeliveryOptions): void {
  const { quietMs, maxMs } = opts.gathering ?? { quietMs: INLINE_GATHER_MS, maxMs: INLINE_GATHER_MAX_MS };
  const began = performance.now();
  const check = () => {
    const now = performance.now();
    // A timer per joining organisation would be re-armed hundreds of times a second: the one timer looks again.
    const end = Math.min(gathering.lastJoined + quietMs, began + maxMs);
    if (now < end) {
      gathering.timer = setTimeout(check, end - now);
      return;
    }
    slots.gathering = undefined;
    startWaiting(ctx, slots, opts);
  };
  const gathering: Gathering = { timer: setTimeout(check, Math.min(quietMs, maxMs)), lastJoined: began };
  slots.gathering = gathering;
}

function endGathering(slots: Slots): void {
  if (slots.gathering) clearTimeout(slots.gathering.timer);
  slots.gathering = undefined;
}

/**
 * Serves what waits, up to 100 organisations a slot. A freed slot takes at once what waited for a slot; calls that
 * joined a gathering wait for its end.
 */
function startWaiting(ctx: AppContext, slots: Slots, opts: InlineDeliveryOptions): void {
  const { gathering: _timing, ...delivery } = opts;
  const settings = { ...DELIVERY_DEFAULTS, timeoutMs: INLINE_TIMEOUT_MS, ...delivery };
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
        if (!slots.gathering) startWaiting(ctx, slots, opts);
      });
  }
}
