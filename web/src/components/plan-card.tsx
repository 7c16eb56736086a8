/** One plan: price for the chosen period, what is included, what extra costs, and the Buy action. */
import type { BillingPeriod, Plan } from '../api.ts';
import { formatMinutes, formatMoney } from '../format.ts';
import { planPriceView } from '../pricing-math.ts';

export interface PlanCardProps {
  plan: Plan;
  period: BillingPeriod;
  isCurrent: boolean;
  /** Another plan is live: Checkout would refuse (already_subscribed), so say so instead of offering Buy. */
  subscribedElsewhere: boolean;
  featured: boolean;
  busy: boolean;
  disabled: boolean;
  onBuy(): void;
}

export function PlanCard({ plan, period, isCurrent, subscribedElsewhere, featured, busy, disabled, onBuy }: PlanCardProps) {
  const view = planPriceView(plan, period);
  const money = (cents: number) => formatMoney(cents, plan.currency, { wholeIfExact: true });
  const headingId = `plan-${plan.id}`;
  return (
    <article class={`plan-card${featured ? ' plan-card-featured' : ''}${isCurrent ? ' plan-card-current' : ''}`} aria-labelledby={headingId} data-plan={plan.name}>
      <header>
        <h2 id={headingId}>{plan.name}</h2>
        {isCurrent ? <p class="tag tag-current">✓ Your current plan</p> : featured ? <p class="tag">Recommended</p> : null}
      </header>
      <p class="price">
        <span class="price-amount">{money(view.priceCents)}</span>
        <span class="price-per">/ {view.per}</span>
      </p>
      {view.per === 'year' ? (
        <p class="price-note">
          {money(view.monthlyEquivalentCents!)} per month, billed yearly · <strong>you save {money(view.savingCents!)}</strong> ({view.savingPercent} %)
        </p>
      ) : (
        <p class="price-note">Billed every month. Extra minutes are added to the next invoice.</p>
      )}
      <ul class="features">
        <li>
          <strong>{formatMinutes(plan.included_minutes)} minutes</strong> of calls included every month
        </li>
        <li>{formatMoney(plan.overage_rate_cents, plan.currency)} per extra minute, billed monthly</li>
        <li>One-time setup fee of {money(plan.setup_fee_cents)} with the first payment</li>
      </ul>
      {isCurrent ? (
        <p class="current-plan-note">
          You are on this plan. <a href="/dashboard">See your usage</a>
        </p>
      ) : subscribedElsewhere ? (
        <p class="plan-note">Changing plans is not available online yet.</p>
      ) : (
        <button type="button" class={`button ${featured ? 'button-primary' : 'button-secondary'} button-block`} onClick={onBuy} disabled={disabled} aria-busy={busy}>
          {busy ? 'Opening secure checkout…' : `Buy ${plan.name}`}
        </button>
      )}
    </article>
  );
}
