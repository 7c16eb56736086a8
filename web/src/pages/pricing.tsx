/**
 * /pricing: the three plans, a monthly/yearly switch, and Buy → Stripe Checkout (through sign-up and naming the
 * organisation when needed); for a subscriber, Switch → change-plan. `?payment=cancelled` is where Checkout's
 * cancel link lands.
 */
import { useEffect, useState } from 'preact/hooks';
import { useAccountState } from '../account.ts';
import type { BillingPeriod } from '../api.ts';
import { switchPlan } from '../change-plan.ts';
import { startCheckout } from '../checkout.ts';
import { Notice } from '../components/notice.tsx';
import { PeriodToggle } from '../components/period-toggle.tsx';
import { PlanCard } from '../components/plan-card.tsx';
import { errorSentence } from '../errors.ts';
import { formatMoney } from '../format.ts';
import { planPriceView } from '../pricing-math.ts';
import { useServices } from '../services.ts';
import { usePlans } from '../use-plans.ts';

/** The period choice survives the trip to Checkout and back (cancel link) within the tab. */
const PERIOD_KEY = 'aisyst.billingPeriod';
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due', 'incomplete']);
/** Statuses change-plan accepts; past_due and the like pay the open invoice first. */
const SWITCHABLE = new Set(['active', 'trialing']);

export function PricingPage({ url }: { url: URL }) {
  const services = useServices();
  const state = useAccountState(services.account);
  const plans = usePlans(services.api);
  const [period, setPeriod] = useState<BillingPeriod>(() => (sessionStorage.getItem(PERIOD_KEY) === 'yearly' ? 'yearly' : 'monthly'));
  const [buying, setBuying] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>(state.flash);
  const subscription = state.summary?.subscription;
  const currentPlanId = subscription && LIVE_STATUSES.has(subscription.status) ? subscription.plan.id : undefined;

  useEffect(() => {
    if (services.account.get().flash) services.account.setFlash(undefined);
  }, []);

  // Plan changes keep the billing period: monthly ↔ yearly is not offered online.
  const canSwitch = subscription !== null && subscription !== undefined && SWITCHABLE.has(subscription.status) && subscription.billing_period === period;
  const switchNote = !subscription
    ? undefined
    : subscription.billing_period !== period
      ? `You pay ${subscription.billing_period}: switching between monthly and yearly billing is not available online.`
      : 'Pay the open invoice on your dashboard first; then you can change plans here.';

  async function change(planId: string) {
    setProblem(undefined);
    setBuying(planId);
    const sentence = await switchPlan(services, planId);
    setBuying(undefined);
    if (sentence) setProblem(sentence);
  }

  async function buy(planId: string) {
    setProblem(undefined);
    setBuying(planId);
    const sentence = await startCheckout(services, { plan_id: planId, billing_period: period });
    setBuying(undefined);
    if (sentence) setProblem(sentence);
  }

  const first = plans.status === 'ready' ? plans.plans[0] : undefined;
  const savingPercent = first ? (planPriceView(first, 'yearly').savingPercent ?? 10) : 10;

  return (
    <section>
      <div class="page-intro">
        <h1 tabIndex={-1}>Plans for every call volume</h1>
        <p class="lede">
          Every plan includes your AI voice agent, a monthly allowance of call minutes and the same {first ? formatMoney(first.overage_rate_cents, first.currency) : '€0.50'} per minute beyond it. No
          surprises: you see your usage live on your dashboard.
        </p>
      </div>
      {url.searchParams.get('payment') === 'cancelled' && (
        <Notice tone="info" title="Checkout cancelled">
          You have not been charged. Pick a plan whenever you are ready.
        </Notice>
      )}
      {problem && (
        <Notice tone="error" title={subscription ? 'We could not change your plan' : 'We could not start checkout'}>
          {problem}
        </Notice>
      )}
      <PeriodToggle
        value={period}
        onChange={(p) => {
          sessionStorage.setItem(PERIOD_KEY, p);
          setPeriod(p);
        }}
        savingPercent={savingPercent}
      />
      {plans.status === 'loading' && (
        <div class="plan-grid" aria-busy="true" aria-label="Loading plans">
          {[0, 1, 2].map((i) => (
            <div key={i} class="plan-card plan-card-skeleton" aria-hidden="true" />
          ))}
        </div>
      )}
      {plans.status === 'error' && (
        <Notice tone="error" title="The plans could not be loaded">
          {errorSentence(plans.error)}{' '}
          <button type="button" class="button button-quiet" onClick={plans.retry}>
            Try again
          </button>
        </Notice>
      )}
      {plans.status === 'ready' && (
        <div class="plan-grid">
          {plans.plans.map((plan, index) => (
            <PlanCard
              key={plan.id}
              plan={plan}
              period={period}
              featured={index === 1}
              isCurrent={plan.id === currentPlanId}
              subscribedElsewhere={currentPlanId !== undefined && plan.id !== currentPlanId}
              onSwitch={canSwitch ? () => void change(plan.id) : undefined}
              switchNote={switchNote}
              busy={buying === plan.id}
              disabled={buying !== undefined}
              onBuy={() => void buy(plan.id)}
            />
          ))}
        </div>
      )}
      <p class="fine-print">
        Prices in euro. Included minutes reset every month, on yearly plans too; calls are billed per started minute.
      </p>
    </section>
  );
}
