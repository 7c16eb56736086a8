/**
 * POST report-usage: one finished call. The money-moving step is ONE plpgsql call, `record_usage` (insert the
 * call under its unique call_id, add its minutes to the cycle containing `ended_at`, queue it for Stripe — one
 * transaction); this use case rounds, maps the outcome to docs/http-api.md#report-usage and starts the inline delivery
 * attempt. Invariants: src/usecases/usage/README.md.
 */
import {
  billedMinutes,
  durationToMillis,
  InvalidCallDuration,
  millisToSecondsDecimal,
  type CallDuration,
} from '../domain/rounding.ts';
import { AppError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { recordUsage, type LedgerCycle } from '../repositories/usage-ledger.ts';
import { deliverSoon } from './deliver-usage.ts';
import { refuseFutureEnd } from './usage/future-end.ts';
import { deliverAlertsSoon } from './usage-alerts/deliver-usage-alerts.ts';

/** A finished call as a client reports it: its duration in seconds or minutes, not yet rounded. */
export interface FinishedCall {
  orgId: string;
  callId: string;
  duration: CallDuration;
  /** The call's end (picks the billing cycle); undefined = now. */
  endedAt?: Date | undefined;
}

export interface RecordedUsage {
  callId: string;
  billedMinutes: number;
  duplicate: boolean;
  cycle: Omit<LedgerCycle, 'id'>;
}

/** A call cannot end later than the customer's clock allows: usage/future-end.ts. */
export { MAX_FUTURE_ENDED_AT_MS } from './usage/future-end.ts';

/**
 * The use case behind report-usage and the voice webhooks: rounds the call, records it in the ledger
 * (repositories/usage-ledger.ts `recordUsage`, i.e. `public.record_usage`) and maps the outcome.
 */
export async function recordFinishedCall(ctx: AppContext, input: FinishedCall): Promise<RecordedUsage> {
  await refuseFutureEnd(ctx, input.orgId, input.endedAt);
  const ms = millisOf(input.duration);
  const minutes = billedMinutes(ms);
  const result = await recordUsage(ctx.sql, {
    orgId: input.orgId,
    callId: input.callId,
    durationSeconds: millisToSecondsDecimal(ms),
    billedMinutes: minutes,
    endedAt: input.endedAt ?? ctx.clock.now(),
  });
  switch (result.outcome) {
    case 'organisation_not_found':
      throw new AppError('organisation_not_found', 'There is no organisation with this id.', { field: 'org_id' });
    case 'conflict':
      throw new AppError(
        'call_id_conflict',
        'This call_id was already reported for another organisation or with another duration.',
        { field: 'call_id' },
      );
    case 'unbilled':
      throw noActiveSubscription(false);
    case 'duplicate':
    case 'recorded': {
      // A repeat of a call still unbilled answers as the original did; once the webhook attached it to its cycle, 200.
      if (!result.cycle) throw noActiveSubscription(true);
      if (result.outcome === 'recorded' && minutes > 0) {
        ctx.waitUntil(
          deliverSoon(ctx, result.orgId).catch((error: unknown) =>
            ctx.logger.warn('inline meter delivery failed; the deliverer will retry', {
              call_id: result.callId,
              error: String(error),
            }),
          ),
        );
      }
      // Usage alerts are queued by the database in the same transaction (usage-alerts/README.md); every one of
      // them needs at least 80 % of the included minutes used, so below that no delivery pass is started.
      if (result.outcome === 'recorded' && result.cycle.minutes_used * 100 >= result.cycle.included_minutes * 80)
        ctx.waitUntil(deliverAlertsSoon(ctx));
      const { id: _id, ...cycle } = result.cycle;
      return {
        callId: result.callId,
        billedMinutes: result.billedMinutes,
        duplicate: result.outcome === 'duplicate',
        cycle,
      };
    }
  }
}

/** Integer milliseconds of the reported duration; a refused one is 400 `invalid_request` on its request field. */
function millisOf(duration: CallDuration): number {
  try {
    return durationToMillis(duration);
  } catch (error) {
    if (!(error instanceof InvalidCallDuration)) throw error;
    const field = `call_duration_${error.unit}`;
    const rule = error.reason === 'over_24_hours' ? 'must be at most 24 hours' : 'must be a finite number ≥ 0';
    throw new AppError('invalid_request', `${field} ${rule}`, { field });
  }
}

function noActiveSubscription(duplicate: boolean): AppError {
  return new AppError(
    'no_active_subscription',
    `${duplicate ? 'This call was already recorded' : 'The call was recorded'} but is not billed: the organisation has no subscription covering the time the call ended.`,
  );
}
