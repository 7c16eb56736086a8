/**
 * The parts of this usage window before a plan change (billing-summary's `usage_earlier_in_period`). Stripe bills
 * their extra minutes with the window, under the plan of their time, while the usage card above counts from zero
 * since the change: without these lines an upgrade would seem to have wiped an overage that is still to be billed.
 */
import type { UsagePart } from '../api.ts';
import { formatMinutes, formatMoney, formatPeriod } from '../format.ts';

export function EarlierUsage({ parts: all }: { parts: UsagePart[] }) {
  // A part without calls bills nothing: a change made right after signing up need not be explained.
  const parts = all.filter((part) => part.minutes_used > 0);
  if (parts.length === 0) return null;
  return (
    <div class="earlier-usage">
      <h3>Earlier this month, before your plan change</h3>
      <ul>
        {parts.map((part) => (
          <li key={part.period_start}>
            <span class="earlier-period">{formatPeriod(part.period_start, part.period_end)}</span>{' '}
            {formatMinutes(part.minutes_used)} of {formatMinutes(part.included_minutes)} included minutes
            {part.overage_minutes > 0
              ? ` · ${formatMinutes(part.overage_minutes)} extra · ${formatMoney(part.overage_cost_cents, part.currency)}`
              : ' · no extra minutes'}
            <span class="muted">
              {' '}
              —{' '}
              {part.invoiced
                ? 'invoiced'
                : part.overage_minutes > 0
                  ? 'billed at the end of the month'
                  : 'nothing extra to bill'}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
