/**
 * The inline attempt right after report-usage answered: the organisation's lane (organisation-lane.ts), short
 * timeouts. At most INLINE_SLOTS lanes are started this way at once per process; other organisations wait their
 * turn, each queued once (keyed-limiter.ts): one call per organisation across hundreds of organisations would
 * otherwise start hundreds of lanes, each holding a database connection that ingestion needs.
 * It logs a configuration error as a warning only: one error line per reported call would bury the logs, and the
 * drain passes (the deliverer, POST deliver-usage) log it loudly once a pass.
 */
import type { AppContext } from '../context.ts';
import { DELIVERY_DEFAULTS, type DeliveryOptions, INLINE_TIMEOUT_MS, type Tally } from './delivery-settings.ts';
import { type KeyedLimiter, keyedLimiter } from './keyed-limiter.ts';
import { deliverForOrganisation, joinLane, runningLane } from './organisation-lane.ts';

/** Lanes the inline attempts may start at once per process. */
export const INLINE_SLOTS = 4;

/** The inline slots, per Stripe client (one per app context). */
const inlineSlotsByClient = new WeakMap<object, KeyedLimiter<Tally>>();

export function deliverSoon(ctx: AppContext, orgId: string, opts: DeliveryOptions = {}): Promise<Tally> {
  const running = runningLane(ctx, orgId);
  if (running) return joinLane(running);
  let slots = inlineSlotsByClient.get(ctx.stripe);
  if (!slots) {
    slots = keyedLimiter(INLINE_SLOTS);
    inlineSlotsByClient.set(ctx.stripe, slots);
  }
  return slots(orgId, () =>
    deliverForOrganisation(
      ctx,
      orgId,
      { ...DELIVERY_DEFAULTS, timeoutMs: INLINE_TIMEOUT_MS, ...opts },
      { configurationErrorLogged: true },
    ),
  );
}
