/**
 * A drain pass over Stripe's v2 meter event stream (meter-event-stream.ts), used when many calls are due across
 * customers (deliver-usage.ts says when). Batches are claimed from any organisation, as the v1 lanes claim them
 * (claim-batch.ts: same ids, same leases, same retries), and up to 100 of them go in ONE request, one event each.
 * The stream has no per-customer concurrency limit, so many customers are served at once.
 *
 * Stripe validates stream events only after answering 200 (an invalid one is dropped and shows in the meter's error
 * reports), so a batch goes to the stream only when it cannot be refused: a customer, minutes to bill, no test clock
 * (Stripe judges timestamps on the customer's clock, which we do not see), and its timestamp well inside Stripe's
 * window on our clock — "within the past 35 calendar days or up to 5 minutes in the future"
 * (docs.stripe.com/api/v2/billing-meter/object). Any other batch goes over v1 (delivery-outcome.ts), whose answer
 * says what happened to it. A request Stripe refuses as a whole with a permanent 4xx is resent over v1, batch by
 * batch, so one bad event cannot hold up the other 99.
 */
import type { AppContext } from '../context.ts';
import { markStreamedBatchesSent } from '../../repositories/usage-outbox.ts';
import { METER } from '../../domain/catalog.ts';
import { claimBatch } from './claim-batch.ts';
import { deliverBatch, settleFailedSend } from './delivery-outcome.ts';
import { addTally, type DeliverySettings, type Pass, type Tally } from './delivery-settings.ts';
import type { MeterBatch } from './meter-batch.ts';
import { sendStreamRequest, STREAM_MAX_EVENTS, type StreamEvent } from './meter-event-stream.ts';
import { STRIPE_PAST_WINDOW_MS } from './send-meter-event.ts';
import { isStripeConfigurationError, isTransientStripeError } from './stripe-errors.ts';

/** Distance kept from the 35-day edge: the stream validates later, and a retry may come hours after the claim. */
const WINDOW_MARGIN_MS = 24 * 3_600_000;

export function fitsStream(batch: MeterBatch, now: Date): batch is MeterBatch & { customer: string } {
  const age = now.getTime() - batch.endedAt.getTime();
  return (
    batch.customer !== null &&
    batch.minutes > 0 &&
    !batch.onTestClock &&
    age >= 0 &&
    age < STRIPE_PAST_WINDOW_MS - WINDOW_MARGIN_MS
  );
}

const toEvent = (batch: MeterBatch & { customer: string }): StreamEvent => ({
  event_name: METER.eventName,
  identifier: batch.id,
  payload: { stripe_customer_id: batch.customer, value: String(batch.minutes) },
  timestamp: batch.endedAt.toISOString(),
});

const count = (tally: Tally, batch: MeterBatch, outcome: string) => {
  if (outcome === 'sent' || outcome === 'failed') tally[outcome] += batch.calls.length;
};

/** Up to `max` due batches of any organisations, `parallel` claims at a time (never more than `max` in all). */
async function claimBatches(ctx: AppContext, o: DeliverySettings, max: number, parallel: number) {
  const batches: MeterBatch[] = [];
  let started = 0;
  let exhausted = false;
  const worker = async () => {
    while (!exhausted && started < max) {
      started++;
      const batch = await claimBatch(ctx, o);
      if (!batch) exhausted = true;
      else batches.push(batch);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { batches, exhausted };
}

export async function drainByStream(ctx: AppContext, o: DeliverySettings, pass: Pass): Promise<Tally> {
  const tally: Tally = { sent: 0, failed: 0 };
  for (;;) {
    const { batches, exhausted } = await claimBatches(ctx, o, STREAM_MAX_EVENTS, o.concurrency);
    const sent = await deliverBatches(ctx, batches, o, pass);
    addTally(tally, sent.tally);
    if (sent.configuration || exhausted) return tally;
  }
}

/**
 * Sends claimed batches: those that fit the stream in requests of up to 100, the others over v1 (delivery-outcome.ts),
 * one organisation's batches one after another (Stripe's one concurrent v1 request per customer), `o.concurrency`
 * organisations at a time. `configuration`: a bad key or missing meter stopped it (the batches wait, see
 * delivery-outcome.ts); every other batch would fail the same way.
 */
export async function deliverBatches(
  ctx: AppContext,
  batches: MeterBatch[],
  o: DeliverySettings,
  pass: Pass,
): Promise<{ tally: Tally; configuration: boolean }> {
  const tally: Tally = { sent: 0, failed: 0 };
  let configuration = false;
  const overV1 = async (v1: MeterBatch[]) => {
    const byOrganisation = new Map<string, MeterBatch[]>();
    for (const b of v1) byOrganisation.set(b.orgId, [...(byOrganisation.get(b.orgId) ?? []), b]);
    const queue = [...byOrganisation.values()];
    const worker = async () => {
      for (let own = queue.shift(); own && !configuration; own = queue.shift())
        for (const batch of own) {
          const outcome = await deliverBatch(ctx, batch, o, pass);
          count(tally, batch, outcome);
          if (outcome === 'configuration') configuration = true;
          if (configuration) break;
        }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, queue.length) }, worker));
  };

  const now = ctx.clock.now();
  await overV1(batches.filter((b) => !fitsStream(b, now)));
  const fitting = batches.filter((b) => fitsStream(b, now));
  for (let i = 0; i < fitting.length && !configuration; i += STREAM_MAX_EVENTS) {
    const streamed = fitting.slice(i, i + STREAM_MAX_EVENTS);
    // Stripe's stream answers `{}`, with no id: this one is ours, kept on every call the request carried.
    const requestId = `mesr_${crypto.randomUUID().replaceAll('-', '')}`;
    let refused: unknown;
    try {
      await sendStreamRequest(ctx, streamed.map(toEvent), o.timeoutMs);
    } catch (error) {
      refused = error;
    }
    if (refused === undefined) {
      await markStreamedBatchesSent(
        ctx.sql,
        streamed.map((b) => b.id),
        requestId,
      );
      for (const batch of streamed) tally.sent += batch.calls.length;
    } else if (isTransientStripeError(refused) || isStripeConfigurationError(refused)) {
      // Every batch waits with its backoff and keeps its id: a resend is deduplicated if Stripe did take it.
      for (const batch of streamed) count(tally, batch, await settleFailedSend(ctx, batch, refused, o, pass));
      if (isStripeConfigurationError(refused)) configuration = true;
    } else {
      await overV1(streamed);
    }
  }
  return { tally, configuration };
}
