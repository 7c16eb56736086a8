/**
 * The second step of a plan switch: what it costs, from change-plan's preview (Stripe's invoice preview), before
 * the owner confirms. An upgrade: nothing due now, the difference on the next invoice. A downgrade: nothing until
 * the period end, then the new price.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Plan, PlanChangePreview } from '../api.ts';
import { errorSentence } from '../errors.ts';
import { formatDate, formatMoney } from '../format.ts';
import { useServices } from '../services.ts';

export function SwitchConfirm({
  plan,
  yearly,
  busy,
  disabled,
  onConfirm,
  onCancel,
}: {
  plan: Plan;
  yearly: boolean;
  busy: boolean;
  disabled: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const services = useServices();
  const [preview, setPreview] = useState<PlanChangePreview | string | undefined>();
  useEffect(() => {
    const orgId = services.account.get().summary?.organisation.id;
    services.api
      .previewPlanChange({ plan_id: plan.id, ...(orgId ? { org_id: orgId } : {}) })
      .then(setPreview, (error: unknown) => setPreview(errorSentence(error)));
  }, [plan.id]);
  const money = (cents: number, currency = plan.currency) => formatMoney(cents, currency);
  const price = money(yearly ? plan.yearly_price_cents : plan.monthly_price_cents);
  return (
    <div class="switch-confirm" data-testid="switch-confirm">
      {preview === undefined ? (
        <p class="plan-note" role="status">
          Working out what the switch costs…
        </p>
      ) : typeof preview === 'string' ? (
        <p class="plan-note">{preview}</p>
      ) : preview.effective_at ? (
        <p class="plan-note">
          Switch to {plan.name} on {formatDate(preview.effective_at)}, at the end of this billing period?{' '}
          <strong>Nothing is due now</strong>; from then you pay {price} per {yearly ? 'year' : 'month'} and {plan.name}
          's included minutes apply.
        </p>
      ) : (
        <p class="plan-note">
          Switch to {plan.name} now? <strong>Due now: {money(preview.due_now_cents, preview.currency)}.</strong>{' '}
          {preview.next_invoice &&
            `The difference for the rest of this period, ${money(preview.next_invoice.proration_cents, preview.currency)}, is added to your next invoice on ${formatDate(preview.next_invoice.date)} (${money(preview.next_invoice.total_cents, preview.currency)} in total). Minutes used so far are billed at your current plan's terms.`}
        </p>
      )}
      <button
        type="button"
        class="button button-primary button-block"
        onClick={onConfirm}
        disabled={disabled || preview === undefined}
        aria-busy={busy}
      >
        {busy ? 'Switching…' : `Confirm switch to ${plan.name}`}
      </button>
      <button type="button" class="button button-quiet button-block" onClick={onCancel} disabled={busy}>
        Keep my plan
      </button>
    </div>
  );
}
