/**
 * Monthly / yearly as a real radio group (arrow keys move between the options, the legend names it), styled as a
 * segmented control. The saving is spelled out in text, not only by colour.
 */
import type { BillingPeriod } from '../api.ts';

export function PeriodToggle({
  value,
  onChange,
  savingPercent,
}: {
  value: BillingPeriod;
  onChange(p: BillingPeriod): void;
  savingPercent: number;
}) {
  const option = (period: BillingPeriod, label: string, extra?: string) => (
    <label class={`segment${value === period ? ' segment-on' : ''}`}>
      <input
        type="radio"
        name="billing-period"
        value={period}
        checked={value === period}
        onChange={() => onChange(period)}
      />
      <span>{label}</span>
      {extra && <span class="segment-badge">{extra}</span>}
    </label>
  );
  return (
    <fieldset class="segmented">
      <legend class="visually-hidden">Billing period</legend>
      {option('monthly', 'Monthly')}
      {option('yearly', 'Yearly', `save ${savingPercent} %`)}
    </fieldset>
  );
}
