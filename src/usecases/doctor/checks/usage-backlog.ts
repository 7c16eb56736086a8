/**
 * `usage.backlog`: calls the meter never got. Pending longer than BACKLOG_MINUTES means nothing delivers them
 * (the `deliver-usage` schedule is missing, or Stripe refuses every attempt: the rows carry the last error);
 * `failed` ones Stripe refused for good and need an operator. The fix runs one delivery pass — exactly what the
 * schedule would — so a backlog that only waited for a deliverer goes out; what stays is reported again.
 */
import { readUsageBacklog } from '../../../repositories/doctor-probes.ts';
import { drainUsageOutbox } from '../../deliver-usage.ts';
import { result, type Check } from '../types.ts';

export const BACKLOG_MINUTES = 10;

export const usageBacklogCheck: Check = {
  id: 'usage.backlog',
  async run(ctx) {
    const { stale, failed, lastError } = await readUsageBacklog(ctx.sql, ctx.clock.now(), BACKLOG_MINUTES);
    const parts = [
      ...(stale > 0
        ? [
            `${stale} call(s) pending for over ${BACKLOG_MINUTES} min${lastError ? ` (last error: ${lastError.slice(0, 120)})` : ''}`,
          ]
        : []),
      ...(failed > 0 ? [`${failed} call(s) failed (refused by Stripe for good)`] : []),
    ];
    if (parts.length === 0) return result('ok', 'no call waits for the meter');
    const hint =
      failed > 0
        ? 'failed calls: read usage_records.stripe_last_error and bill them by hand'
        : 'schedule deliver-usage (see schedule.deliver_usage); doctor --fix sends them once';
    return result('problem', parts.join('; '), hint);
  },
  async fix(ctx) {
    await drainUsageOutbox(ctx);
  },
};
