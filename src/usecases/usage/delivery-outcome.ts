/**
 * One claimed batch sent over v1 and settled, all its calls together: 'sent', back to 'pending' later (transient
 * failure, exponential backoff with jitter, same batch id), 'failed' (Stripe refused it for good, error kept), or
 * 'configuration' (a bad key or missing meter: not the calls' fault, they wait). The five ways Stripe's answer can
 * go, each with why, are in src/usecases/usage/README.md.
 */
import type { AppContext } from '../context.ts';
import { markBatchFailed, markBatchRetry, markBatchSent } from '../../repositories/usage-outbox.ts';
import { retryDelayMs } from './backoff.ts';
import type { DeliveryOptions, Pass } from './delivery-settings.ts';
import { nextKeyGeneration } from './idempotency-key.ts';
import type { MeterBatch } from './meter-batch.ts';
import { OutsideStripeWindowError, sendMeterEvent } from './send-meter-event.ts';
import {
  describeStripeError,
  isDuplicateMeterEvent,
  isStripeConfigurationError,
  isTransientStripeError,
} from './stripe-errors.ts';

export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'configuration';

const about = (batch: MeterBatch) => ({
  batch_id: batch.id,
  calls: batch.calls.length,
  attempts: batch.attempts,
});

export async function deliverBatch(
  ctx: AppContext,
  batch: MeterBatch,
  o: DeliveryOptions,
  pass: Pass,
): Promise<DeliveryOutcome> {
  if (batch.minutes === 0) {
    await markBatchSent(ctx.sql, batch.id); // nothing to bill: see settleZeroMinuteUsage
    return 'sent';
  }
  // The claim looked the customer up again (subscription, else organisation). Still none: the organisation gets
  // one at checkout, so the calls wait (billable usage is never dropped), they do not fail.
  const customer = batch.customer;
  if (!customer) {
    const delay = retryDelayMs(batch.attempts, o.random);
    ctx.logger.warn('meter event waits: no Stripe customer for this organisation yet', {
      ...about(batch),
      delay_ms: delay,
    });
    await markBatchRetry(ctx.sql, batch.id, delay, 'not sent: no Stripe customer for this organisation yet');
    return 'retry';
  }
  try {
    await sendMeterEvent(
      ctx.stripe,
      { ...batch, customer },
      { timeoutMs: o.timeoutMs, now: ctx.clock.now(), keyGeneration: batch.keyGeneration },
    );
    await markBatchSent(ctx.sql, batch.id);
    return 'sent';
  } catch (error) {
    return settleFailedSend(ctx, batch, error, o, pass);
  }
}

/** How a failed send (v1, or a whole v2 stream request) settles one batch. */
export async function settleFailedSend(
  ctx: AppContext,
  batch: MeterBatch,
  error: unknown,
  o: DeliveryOptions,
  pass: Pass,
): Promise<DeliveryOutcome> {
  if (error instanceof OutsideStripeWindowError) {
    // Never billed "now" in a later period: an operator bills it by hand (see send-meter-event.ts).
    const description = `${error.message} (ended ${batch.endedAt.toISOString()}; Stripe: ${describeStripeError(error.stripeError)})`;
    ctx.logger.error('meter event too old for Stripe; an operator must bill it', {
      ...about(batch),
      call_ids: batch.calls.slice(0, 20).map((c) => c.call_id),
      error: description,
    });
    await markBatchFailed(ctx.sql, batch.id, description);
    return 'failed';
  }
  const description = describeStripeError(error);
  if (isDuplicateMeterEvent(error)) {
    // Stripe already holds an event with this identifier: ours, from an attempt whose answer was lost.
    await markBatchSent(ctx.sql, batch.id);
    return 'sent';
  }
  if (isStripeConfigurationError(error)) {
    // A bad or rotated key, a missing permission or meter: the calls are fine, our setup is not. Never fail them
    // (that would drop billable usage); wait, with the same backoff, for an operator to fix the setup.
    const delay = retryDelayMs(batch.attempts, o.random);
    const details = { ...about(batch), delay_ms: delay, error: description };
    if (!pass.configurationErrorLogged) {
      pass.configurationErrorLogged = true;
      ctx.logger.error(
        'Stripe configuration error: meter events cannot be delivered; check the Stripe secret key and the meter. Calls stay pending.',
        details,
      );
    } else {
      ctx.logger.warn('meter event delivery waits for the Stripe configuration to be fixed', details);
    }
    await markBatchRetry(ctx.sql, batch.id, delay, `configuration: ${description}`);
    return 'configuration';
  }
  if (isTransientStripeError(error)) {
    const delay = retryDelayMs(batch.attempts, o.random);
    // A received 5xx/429 was saved under the key: the next attempt takes a fresh one (usage/idempotency-key.ts).
    const next = nextKeyGeneration(batch.keyGeneration, batch.attempts, error);
    ctx.logger.warn('meter event delivery will be retried', { ...about(batch), delay_ms: delay, error: description });
    await markBatchRetry(ctx.sql, batch.id, delay, description, next);
    return 'retry';
  }
  ctx.logger.error('meter event refused by Stripe', { ...about(batch), error: description });
  await markBatchFailed(ctx.sql, batch.id, description);
  return 'failed';
}
