/**
 * This month's usage window: minutes used of included (a progressbar with ARIA values and the figures in text),
 * overage so far, and where the month ends up at the current pace (src/domain/projection.ts, shared with the API);
 * after a plan change, also the window's parts before it (earlier-usage.tsx).
 */
import { projectMonthOverage } from '../../../src/domain/projection.ts';
import type { Usage, UsagePart } from '../api.ts';
import { EarlierUsage } from './earlier-usage.tsx';
import { formatMinutes, formatMoney, formatPeriod } from '../format.ts';

export function UsageCard({
  usage,
  earlier = [],
  overageRateCents,
  now,
}: {
  usage: Usage;
  earlier?: UsagePart[];
  overageRateCents: number;
  now: Date;
}) {
  const { minutes_used: used, included_minutes: included } = usage;
  const percent = included > 0 ? Math.min(100, Math.round((used * 100) / included)) : 100;
  const over = usage.overage_minutes > 0;
  const projection = safeProjection(usage, overageRateCents, now);
  return (
    <section class="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Call minutes this month</h2>
      <p class="muted">Usage window {formatPeriod(usage.period_start, usage.period_end)}</p>
      <p class="usage-figure" id="usage-text">
        <strong>{formatMinutes(used)}</strong> of {formatMinutes(included)} minutes used
      </p>
      <div
        class={`meter${over ? ' meter-over' : percent >= 80 ? ' meter-high' : ''}`}
        role="progressbar"
        aria-labelledby="usage-heading"
        aria-valuemin={0}
        aria-valuemax={included}
        aria-valuenow={Math.min(used, included)}
        aria-valuetext={`${formatMinutes(used)} of ${formatMinutes(included)} included minutes used${over ? `, ${formatMinutes(usage.overage_minutes)} extra` : ''}`}
      >
        <div class="meter-fill" style={{ width: `${percent}%` }} />
      </div>
      <dl class="figures">
        <div>
          <dt>Included minutes left</dt>
          <dd>{formatMinutes(Math.max(0, included - used))}</dd>
        </div>
        <div>
          <dt>Extra minutes so far</dt>
          <dd>
            {formatMinutes(usage.overage_minutes)} · {formatMoney(usage.overage_cost_cents, usage.currency)}
          </dd>
        </div>
        <div>
          <dt>Projected by the end of the window</dt>
          <dd>
            {projection ? (
              projection.projectedOverageMinutes > 0 ? (
                `${formatMinutes(projection.projectedMinutes)} min · ${formatMoney(projection.projectedOverageCostCents, usage.currency)} extra`
              ) : (
                `${formatMinutes(projection.projectedMinutes)} min · within your plan`
              )
            ) : (
              <span class="muted not-yet">Shown after the first day</span>
            )}
          </dd>
        </div>
      </dl>
      {over && (
        <p class="hint">
          <span aria-hidden="true">! </span>You are past your included minutes; each extra minute costs{' '}
          {formatMoney(overageRateCents, usage.currency)} and is billed with next month's invoice.
        </p>
      )}
      <EarlierUsage parts={earlier} />
    </section>
  );
}

/**
 * A pace measured over minutes says nothing about a month (13 minutes in the first minute would "project" to
 * millions), so the projection waits until a day of the window has passed.
 */
export const PROJECTION_NEEDS_MS = 86_400_000;

function safeProjection(usage: Usage, overageRateCents: number, now: Date) {
  if (now.getTime() - new Date(usage.period_start).getTime() < PROJECTION_NEEDS_MS) return undefined;
  try {
    return projectMonthOverage({
      minutesUsed: usage.minutes_used,
      includedMinutes: usage.included_minutes,
      overageRateCents,
      periodStart: new Date(usage.period_start),
      periodEnd: new Date(usage.period_end),
      now,
    });
  } catch {
    return undefined;
  }
}
