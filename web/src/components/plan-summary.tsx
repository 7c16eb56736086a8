/** The plan in words: name, billing period, status, current billing period and what happens at its end; and the way to Stripe's portal. */
import type { Plan, Subscription } from '../api.ts';
import { formatDate, formatMinutes, formatMoney, formatPeriod } from '../format.ts';
import { ManageBilling } from './manage-billing.tsx';
import { StatusBadge } from './subscription-status.tsx';

export function PlanSummary({
  subscription,
  plan,
  orgId,
}: {
  subscription: Subscription;
  plan: Plan | undefined;
  orgId: string;
}) {
  const yearly = subscription.billing_period === 'yearly';
  const endsAt = subscription.cancel_at ?? (subscription.cancel_at_period_end ? subscription.current_period_end : null);
  const live = !['canceled', 'incomplete_expired'].includes(subscription.status);
  return (
    <section class="card" aria-labelledby="plan-heading">
      <div class="card-title-row">
        <h2 id="plan-heading">
          {subscription.plan.name} <span class="muted plan-period">· {yearly ? 'Yearly' : 'Monthly'}</span>
        </h2>
        <StatusBadge status={subscription.status} />
      </div>
      {plan && (
        <p class="plan-price">
          {formatMoney(yearly ? plan.yearly_price_cents : plan.monthly_price_cents, plan.currency, {
            wholeIfExact: true,
          })}{' '}
          per {yearly ? 'year' : 'month'} · {formatMinutes(plan.included_minutes)} minutes included each month
        </p>
      )}
      <dl class="figures">
        <div>
          <dt>Billing period</dt>
          <dd>{formatPeriod(subscription.current_period_start, subscription.current_period_end)}</dd>
        </div>
        <div>
          <dt>{endsAt ? 'Ends on' : live ? 'Renews on' : 'Ended'}</dt>
          <dd>{endsAt ? formatDate(endsAt) : live ? formatDate(subscription.current_period_end) : '—'}</dd>
        </div>
      </dl>
      {subscription.pending_change && (
        <p class="pending-change" data-testid="pending-change">
          Switches to <strong>{subscription.pending_change.plan.name}</strong> on{' '}
          {formatDate(subscription.pending_change.effective_at)}.{' '}
          <a href="/pricing">Keep {subscription.plan.name} instead</a>
        </p>
      )}
      {live && !endsAt && (
        <p class="muted">
          <a href="/pricing">Compare or change plans</a>
        </p>
      )}
      <ManageBilling orgId={orgId} />
    </section>
  );
}
