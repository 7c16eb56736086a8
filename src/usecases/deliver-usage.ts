/**
 * Delivers the meter-event outbox to Stripe (docs/design.md#usage-ledger-and-meter-delivery;
 * src/usecases/usage/README.md): claim due rows (leased, SKIP LOCKED), send each as a meter event, settle it: 'sent',
 * back to 'pending' later (transient failure, exponential backoff with jitter), or 'failed' (Stripe refused it for
 * good, error kept). A configuration error (bad key, missing meter) fails no row: the organisation's claimed rows go
 * back to 'pending' with backoff and the lane stops; it is logged at error level once per pass.
 *
 * Stripe allows one concurrent meter-event request per customer and meter
 * (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api#rate-limits). So all sending goes through
 * one LANE per organisation (= one Stripe customer) per process: a lane sends that organisation's due calls one
 * after another until none is left, and whoever wants delivery for an organisation whose lane is running (the
 * inline attempt after report-usage, a deliverer pass) joins it instead of sending in parallel. Under load this
 * also coalesces: a burst of calls from one customer costs one lane, not one Stripe round trip per HTTP request.
 * Different organisations are served in parallel: a drain pass `concurrency` at a time, inline attempts at most
 * INLINE_LANES at a time per process, so that deliveries never hold the connections that ingestion needs.
 */
import type { AppContext } from '../http/route.ts';
import {
  claimDueUsage,
  countPendingUsage,
  listOrganisationsWithDueUsage,
  markUsageFailed,
  markUsageRetry,
  markUsageSent,
  settleZeroMinuteUsage,
  type OutboxRow,
} from '../repositories/usage-outbox.ts';
import { retryDelayMs } from './usage/backoff.ts';
import { keyedLimiter, type KeyedLimiter } from './usage/keyed-limiter.ts';
import { nextKeyGeneration } from './usage/idempotency-key.ts';
import { OutsideStripeWindowError, sendMeterEvent } from './usage/send-meter-event.ts';
import {
  describeStripeError,
  isDuplicateMeterEvent,
  isStripeConfigurationError,
  isTransientStripeError,
} from './usage/stripe-errors.ts';

export interface DeliveryOptions {
  /** Most rows claimed at a time by a lane (fewer when the lease could not cover them), and organisations per pass. */
  batchSize?: number;
  /** How long a claimed batch stays hidden from other deliverers; raised if it could not cover even one row. */
  leaseSeconds?: number;
  /** Organisations served in parallel within a pass. */
  concurrency?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  random?: () => number;
}

export interface DrainResult {
  sent: number;
  failed: number;
  /** Rows still pending after the pass (not yet due, leased by another deliverer, or retrying). */
  pending: number;
}

type Tally = { sent: number; failed: number };
/** One drain pass (or one inline attempt): whether its loud log of a configuration error is done. */
type Pass = { configurationErrorLogged: boolean };
type Outcome = 'sent' | 'failed' | 'retry' | 'configuration';
type Settings = Required<Omit<DeliveryOptions, 'random'>> & Pick<DeliveryOptions, 'random'>;

const DEFAULTS = { batchSize: 50, leaseSeconds: 300, concurrency: 4, timeoutMs: 20_000 } as const;
const INLINE_TIMEOUT_MS = 3_000;
/** Inline lanes started at once per process; more organisations wait their turn (keyed-limiter.ts). */
const INLINE_LANES = 4;
/** Slack in a lease for the database statements around the requests. */
const LEASE_MARGIN_SECONDS = 10;

/**
 * How many rows a lane claims and for how long. The lease must outlast sending the whole claimed batch, or another
 * deliverer would claim and send rows this lane has not reached yet. A row costs at most two requests (the
 * timestamped one and the `-now` resend), each up to `timeoutMs`, with no SDK retries inside a lane. So the claim
 * is cut to what the lease covers: 7 rows for the background deliverer (2 × 20 s each in 300 s), 48 inline (2 × 3 s).
 */
export function claimPlan(o: Pick<Settings, 'batchSize' | 'leaseSeconds' | 'timeoutMs'>): {
  limit: number;
  leaseSeconds: number;
} {
  const rowSeconds = (2 * o.timeoutMs) / 1000;
  const leaseSeconds = Math.max(o.leaseSeconds, Math.ceil(rowSeconds + LEASE_MARGIN_SECONDS));
  const limit = Math.max(1, Math.min(o.batchSize, Math.floor((leaseSeconds - LEASE_MARGIN_SECONDS) / rowSeconds)));
  return { limit, leaseSeconds };
}

interface Lane {
  done: Promise<Tally>;
  /** Someone asked for delivery while the lane ran: look once more before ending. */
  wanted: boolean;
}

/** Running lanes by organisation, per Stripe client (one per app context). */
const lanesByClient = new WeakMap<object, Map<string, Lane>>();
/** Inline attempts waiting for one of the INLINE_LANES, per Stripe client. */
const inlineLimiters = new WeakMap<object, KeyedLimiter<Tally>>();

/** One pass over what is due now. */
export async function drainUsageOutbox(ctx: AppContext, opts: DeliveryOptions = {}): Promise<DrainResult> {
  const o: Settings = { ...DEFAULTS, ...opts };
  const tally: Tally = { sent: await settleZeroMinuteUsage(ctx.sql), failed: 0 };
  const pass: Pass = { configurationErrorLogged: false };
  for (;;) {
    const orgIds = await listOrganisationsWithDueUsage(ctx.sql, o.batchSize);
    const queue = [...orgIds];
    const worker = async () => {
      for (let orgId = queue.shift(); orgId; orgId = queue.shift())
        add(tally, await deliverForOrganisation(ctx, orgId, o, pass));
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, worker));
    if (orgIds.length < o.batchSize) break;
  }
  return { ...tally, pending: await countPendingUsage(ctx.sql) };
}

/**
 * The inline attempt right after report-usage answered: the organisation's lane, short timeouts. It logs a
 * configuration error as a warning only: one error line per reported call would bury the logs, and the drain
 * passes (the deliverer, POST deliver-usage) log it loudly once a pass.
 */
export function deliverSoon(ctx: AppContext, orgId: string, opts: DeliveryOptions = {}): Promise<Tally> {
  const running = lanesByClient.get(ctx.stripe)?.get(orgId);
  if (running) return join(running);
  let limiter = inlineLimiters.get(ctx.stripe);
  if (!limiter) {
    limiter = keyedLimiter(INLINE_LANES);
    inlineLimiters.set(ctx.stripe, limiter);
  }
  return limiter(orgId, () =>
    deliverForOrganisation(
      ctx,
      orgId,
      { ...DEFAULTS, timeoutMs: INLINE_TIMEOUT_MS, ...opts },
      { configurationErrorLogged: true },
    ),
  );
}

function join(running: Lane): Promise<Tally> {
  running.wanted = true;
  return running.done.then(() => ({ sent: 0, failed: 0 })); // its work is counted by whoever started it
}

/** Joins the organisation's running lane, or starts one. */
function deliverForOrganisation(ctx: AppContext, orgId: string, o: Settings, pass: Pass): Promise<Tally> {
  let lanes = lanesByClient.get(ctx.stripe);
  if (!lanes) {
    lanes = new Map();
    lanesByClient.set(ctx.stripe, lanes);
  }
  const running = lanes.get(orgId);
  if (running) return join(running);
  const lane: Lane = { wanted: false, done: Promise.resolve({ sent: 0, failed: 0 }) };
  lanes.set(orgId, lane);
  lane.done = runLane(ctx, orgId, o, lane, pass).finally(() => {
    if (lanes.get(orgId) === lane) lanes.delete(orgId); // after a failure; a clean end removed it already
  });
  return lane.done;
}

async function runLane(ctx: AppContext, orgId: string, o: Settings, lane: Lane, pass: Pass): Promise<Tally> {
  const lanes = lanesByClient.get(ctx.stripe)!;
  const tally: Tally = { sent: 0, failed: 0 };
  const plan = claimPlan(o);
  for (;;) {
    const rows = await claimDueUsage(ctx.sql, { ...plan, orgId });
    for (const [i, row] of rows.entries()) {
      const outcome = await deliverRow(ctx, row, o, pass);
      if (outcome === 'configuration') {
        // Every other call would fail the same way: put the rest of the batch back (same backoff, no request).
        for (const rest of rows.slice(i + 1)) {
          const note = 'not sent: Stripe configuration error (see the call before)';
          await markUsageRetry(ctx.sql, rest.id, retryDelayMs(rest.stripe_attempts, o.random), note);
        }
        lanes.delete(orgId);
        return tally;
      }
      if (outcome !== 'retry') tally[outcome]++;
    }
    if (rows.length === plan.limit) continue;
    // A short batch took all that was due at the claim (retried rows are not due yet), so there is no need to look
    // again — unless a call was recorded since: its inline attempt joined this lane and set `wanted`. The check and
    // the removal run without an await between them, so no request can join a lane that is ending.
    if (!lane.wanted) {
      lanes.delete(orgId);
      return tally;
    }
    lane.wanted = false;
  }
}

async function deliverRow(ctx: AppContext, row: OutboxRow, o: DeliveryOptions, pass: Pass): Promise<Outcome> {
  if (row.billed_minutes === 0) {
    await markUsageSent(ctx.sql, row.id); // nothing to bill: see settleZeroMinuteUsage
    return 'sent';
  }
  const keyGeneration = row.stripe_key_generation;
  // The claim looked the customer up again (subscription, else organisation). Still none: the organisation gets
  // one at checkout, so the call waits (billable usage is never dropped), it does not fail.
  const customer = row.stripe_customer_id;
  if (!customer) {
    const delay = retryDelayMs(row.stripe_attempts, o.random);
    ctx.logger.warn('meter event waits: no Stripe customer for this organisation yet', {
      call_id: row.call_id,
      attempts: row.stripe_attempts,
      delay_ms: delay,
    });
    await markUsageRetry(ctx.sql, row.id, delay, 'not sent: no Stripe customer for this organisation yet');
    return 'retry';
  }
  try {
    await sendMeterEvent(
      ctx.stripe,
      { ...row, stripe_customer_id: customer },
      { timeoutMs: o.timeoutMs, now: ctx.clock.now(), keyGeneration },
    );
    await markUsageSent(ctx.sql, row.id);
    return 'sent';
  } catch (error) {
    if (error instanceof OutsideStripeWindowError) {
      // Never billed "now" in a later period: an operator bills it by hand (see send-meter-event.ts).
      const description = `${error.message} (ended ${row.ended_at.toISOString()}; Stripe: ${describeStripeError(error.stripeError)})`;
      ctx.logger.error('meter event too old for Stripe; an operator must bill it', {
        call_id: row.call_id,
        error: description,
      });
      await markUsageFailed(ctx.sql, row.id, description.slice(0, 500));
      return 'failed';
    }
    const description = describeStripeError(error);
    if (isDuplicateMeterEvent(error)) {
      // Stripe already holds an event with this identifier: ours, from an attempt whose answer was lost.
      await markUsageSent(ctx.sql, row.id);
      return 'sent';
    }
    if (isStripeConfigurationError(error)) {
      // A bad or rotated key, a missing permission or meter: the call is fine, our setup is not. Never fail the
      // row (that would drop billable usage); wait, with the same backoff, for an operator to fix the setup.
      const delay = retryDelayMs(row.stripe_attempts, o.random);
      const details = { call_id: row.call_id, attempts: row.stripe_attempts, delay_ms: delay, error: description };
      if (!pass.configurationErrorLogged) {
        pass.configurationErrorLogged = true;
        ctx.logger.error(
          'Stripe configuration error: meter events cannot be delivered; check the Stripe secret key and the meter. Calls stay pending.',
          details,
        );
      } else {
        ctx.logger.warn('meter event delivery waits for the Stripe configuration to be fixed', details);
      }
      await markUsageRetry(ctx.sql, row.id, delay, `configuration: ${description}`);
      return 'configuration';
    }
    if (isTransientStripeError(error)) {
      const delay = retryDelayMs(row.stripe_attempts, o.random);
      // A received 5xx/429 was saved under the key: the next attempt takes a fresh one (usage/idempotency-key.ts).
      const next = nextKeyGeneration(keyGeneration, row.stripe_attempts, error);
      ctx.logger.warn('meter event delivery will be retried', {
        call_id: row.call_id,
        attempts: row.stripe_attempts,
        delay_ms: delay,
        error: description,
      });
      await markUsageRetry(ctx.sql, row.id, delay, description, next);
      return 'retry';
    }
    ctx.logger.error('meter event refused by Stripe', { call_id: row.call_id, error: description });
    await markUsageFailed(ctx.sql, row.id, description);
    return 'failed';
  }
}

const add = (into: Tally, more: Tally) => {
  into.sent += more.sent;
  into.failed += more.failed;
};

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
  const intervalMs = opts.intervalMs ?? 1_000;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const drainOnce = (): Promise<DrainResult> => {
    const pass = current.then(() => drainUsageOutbox(ctx, opts));
    current = pass.catch(() => undefined);
    return pass;
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    drainOnce()
      .catch((error: unknown) => ctx.logger.error('usage delivery pass failed', { error: describeStripeError(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    drainOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
