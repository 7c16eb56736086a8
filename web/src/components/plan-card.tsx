/** One plan: price for the chosen period, what is included, what extra costs, and the Buy (or Switch) action. */
import { useState } from 'preact/hooks';
import type { BillingPeriod, Plan } from '../api.ts';
import { formatDate, formatMinutes, formatMoney } from '../format.ts';
import { planPriceView } from '../pricing-math.ts';
import { SwitchConfirm } from './switch-confirm.tsx';

export interface PlanCardProps {
  plan: Plan;
  period: BillingPeriod;
  isCurrent: boolean;
  /** Another plan is live: Checkout would refuse (already_subscribed), so offer a switch (or say why not) instead. */
  subscribedElsewhere: boolean;
  /** Given when a switch to this plan can be made online (same billing period, subscription in good standing). */
  onSwitch?: (() => void) | undefined;
  /** Why no switch is offered, when subscribed elsewhere and `onSwitch` is absent. */
  switchNote?: string | undefined;
  featured: boolean;
  /** The one-time setup fee is charged with a first subscription only (the organisation never had one). */
  setupFeeApplies: boolean;
  /** A downgrade to this plan is waiting for the period end. */
  pendingFrom?: string | undefined;
  busy: boolean;
  disabled: boolean;
  onBuy(): void;
}

export function PlanCard({
  plan,
  period,
  isCurrent,
  subscribedElsewhere,
  onSwitch,
  switchNote,
  featured,
  setupFeeApplies,
  pendingFrom,
  busy,
  disabled,
  onBuy,
}: PlanCardProps) {
  // A switch changes what is billed: the first click shows what it costs and asks, the second one switches.
  const [confirming, setConfirming] = useState(false);
  const view = planPriceView(plan, period);
  const money = (cents: number) => formatMoney(cents, plan.currency, { wholeIfExact: true });
  const headingId = `plan-${plan.id}`;
  return (
    <article
      class={`plan-card${featured ? ' plan-card-featured' : ''}${isCurrent ? ' plan-card-current' : ''}`}
      aria-labelledby={headingId}
      data-plan={plan.name}
    >
      <header>
        <h2 id={headingId}>{plan.name}</h2>
        {isCurrent ? (
          <p class="tag tag-current">✓ Your current plan</p>
        ) : pendingFrom ? (
          <p class="tag">Yours from {formatDate(pendingFrom)}</p>
        ) : featured ? (
          <p class="tag">Recommended</p>
        ) : null}
      </header>
      <p class="price">
        <span class="price-amount">{money(view.priceCents)}</span>
        <span class="price-per">/ {view.per}</span>
      </p>
      {view.per === 'year' ? (
        <p class="price-note">
          {money(view.monthlyEquivalentCents!)} per month, billed yearly ·{' '}
          <strong>you save {money(view.savingCents!)}</strong> ({view.savingPercent} %)
        </p>
      ) : (
        <p class="price-note">Billed every month. Extra minutes are added to the next invoice.</p>
      )}
      <ul class="features">
        <li>
          <strong>{formatMinutes(plan.included_minutes)} minutes</strong> of calls included every month
        </li>
        <li>{formatMoney(plan.overage_rate_cents, plan.currency)} per extra minute, billed monthly</li>
        {setupFeeApplies ? (
          <li>One-time setup fee of {money(plan.setup_fee_cents)} with the first payment</li>
        ) : (
          <li data-testid="no-setup-fee">No setup fee: your organisation has subscribed before</li>
        )}
      </ul>
      {isCurrent ? (
        <p class="current-plan-note">
          You are on this plan. <a href="/dashboard">See your usage</a>
        </p>
      ) : pendingFrom ? (
        <p class="plan-note">
          You switch to {plan.name} on {formatDate(pendingFrom)}.
        </p>
      ) : subscribedElsewhere && onSwitch ? (
        confirming ? (
          <SwitchConfirm
            plan={plan}
            yearly={period === 'yearly'}
            busy={busy}
            disabled={disabled}
            onConfirm={onSwitch}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <button
            type="button"
            class="button button-secondary button-block"
            onClick={() => setConfirming(true)}
            disabled={disabled}
          >
            Switch to {plan.name}
          </button>
        )
      ) : subscribedElsewhere ? (
        <p class="plan-note">{switchNote ?? 'Changing to this plan is not available online.'}</p>
      ) : (
        <button
          type="button"
          class={`button ${featured ? 'button-primary' : 'button-secondary'} button-block`}
          onClick={onBuy}
          disabled={disabled}
          aria-busy={busy}
        >
          {busy ? 'Opening secure checkout…' : `Buy ${plan.name}`}
        </button>
      )}
    </article>
  );
}
