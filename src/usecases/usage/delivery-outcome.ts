/**
 * One claimed call sent and settled: 'sent', back to 'pending' later (transient failure, exponential backoff with
 * jitter), 'failed' (Stripe refused it for good, error kept), or 'configuration' (a bad key or missing meter: not
 * the call's fault, it waits). The five ways Stripe's answer can go, each with why, are in src/usecases/usage/README.md.
 */
import type { AppContext } from '../context.ts';
import { markUsageFailed, markUsageRetry, markUsageSent, type OutboxRow } from '../../repositories/usage-outbox.ts';
import { retryDelayMs } from './backoff.ts';
import type { DeliveryOptions, Pass } from './delivery-settings.ts';
import { nextKeyGeneration } from './idempotency-key.ts';
import { OutsideStripeWindowError, sendMeterEvent } from './send-meter-event.ts';
import {
  describeStripeError,
  isDuplicateMeterEvent,
  isStripeConfigurationError,
  isTransientStripeError,
} from './stripe-errors.ts';

export type DeliveryOutcome = 'sent' | 'failed' | 'retry' | 'configuration';

export async function deliverRow(
  ctx: AppContext,
  row: OutboxRow,
  o: DeliveryOptions,
  pass: Pass,
): Promise<DeliveryOutcome> {
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
    return settleFailedSend(ctx, row, error, o, pass);
  }
}

async function settleFailedSend(
  ctx: AppContext,
  row: OutboxRow,
  error: unknown,
  o: DeliveryOptions,
  pass: Pass,
): Promise<DeliveryOutcome> {
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
    const next = nextKeyGeneration(row.stripe_key_generation, row.stripe_attempts, error);
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
