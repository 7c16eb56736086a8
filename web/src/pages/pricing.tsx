/**
 * /pricing: the three plans, a monthly/yearly switch, and Buy → Stripe Checkout (through sign-up and naming the
 * organisation when needed); for a subscriber, Switch → change-plan. `?payment=cancelled` is where Checkout's
 * cancel link lands.
 */
import { useEffect, useState } from 'preact/hooks';
import { useAccountState } from '../account.ts';
import type { BillingPeriod } from '../api.ts';
import { keepCurrentPlan, resumeSubscription, switchPlan } from '../change-plan.ts';
import { startCheckout } from '../checkout.ts';
import { Notice } from '../components/notice.tsx';
import { PeriodToggle } from '../components/period-toggle.tsx';
import { PlanCard } from '../components/plan-card.tsx';
import { errorSentence } from '../errors.ts';
import { formatDate, formatMoney } from '../format.ts';
import { planPriceView } from '../pricing-math.ts';
import { useServices } from '../services.ts';
import { usePlans } from '../use-plans.ts';

/** The period choice survives the trip to Checkout and back (cancel link) within the tab. */
const PERIOD_KEY = 'aisyst.billingPeriod';
/**
 * Statuses in which the page marks the subscription's plan as the current one (an `incomplete` first payment
 * included); not LIVE_STATUSES of src/repositories/subscriptions.ts, which decides who has a subscription.
 */
const CURRENT_PLAN_STATUSES = new Set(['active', 'trialing', 'past_due', 'incomplete']);
/** Statuses change-plan accepts; past_due and the like pay the open invoice first. */
const SWITCHABLE = new Set(['active', 'trialing']);

export function PricingPage({ url }: { url: URL }) {
  const services = useServices();
  const state = useAccountState(services.account);
  const plans = usePlans(services.api);
  const [period, setPeriod] = useState<BillingPeriod>(() =>
    sessionStorage.getItem(PERIOD_KEY) === 'yearly' ? 'yearly' : 'monthly',
  );
  const [buying, setBuying] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>(state.flash);
  const subscription = state.summary?.subscription;
  const currentPlanId =
    subscription && CURRENT_PLAN_STATUSES.has(subscription.status) ? subscription.plan.id : undefined;
  // The setup fee comes with a first subscription only: one that ever started (checkout/purchase-terms.ts) paid it.
  const setupFeeApplies = !subscription || subscription.status === 'incomplete_expired';
  const endsAt =
    subscription && currentPlanId
      ? (subscription.cancel_at ?? (subscription.cancel_at_period_end ? subscription.current_period_end : null))
      : null;
  const pending = currentPlanId ? (subscription?.pending_change ?? undefined) : undefined;

  useEffect(() => {
    if (services.account.get().flash) services.account.setFlash(undefined);
  }, []);

  // Plan changes keep the billing period: monthly ↔ yearly is not offered online.
  // A scheduled cancellation is resumed first (below), not switched around.
  const canSwitch =
    subscription !== null &&
    subscription !== undefined &&
    SWITCHABLE.has(subscription.status) &&
    subscription.billing_period === period &&
    !endsAt;
  const switchNote = !subscription
    ? undefined
    : subscription.billing_period !== period
      ? `You pay ${subscription.billing_period}: switching between monthly and yearly billing is not available online.`
      : endsAt
        ? `Your subscription ends on ${formatDate(endsAt)}: resume it above to change plans.`
        : 'Pay the open invoice on your dashboard first; then you can change plans here.';
  const [working, setWorking] = useState(false);

  async function act(action: () => Promise<string | undefined>) {
    setProblem(undefined);
    setWorking(true);
    const sentence = await action();
    setWorking(false);
    if (sentence) setProblem(sentence);
  }

  async function change(planId: string, planName: string) {
    setProblem(undefined);
    setBuying(planId);
    const sentence = await switchPlan(services, planId, planName);
    setBuying(undefined);
    if (sentence) setProblem(sentence);
  }

  async function buy(planId: string, planName: string) {
    setProblem(undefined);
    setBuying(planId);
    const sentence = await startCheckout(services, { plan_id: planId, billing_period: period, plan_name: planName });
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
          Every plan includes your AI voice agent, a monthly allowance of call minutes and the same{' '}
          {first ? formatMoney(first.overage_rate_cents, first.currency) : '€0.50'} per minute beyond it. No surprises:
          you see your usage live on your dashboard.
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
      {endsAt && subscription && (
        <Notice tone="info" title={`Your ${subscription.plan.name} plan ends on ${formatDate(endsAt)}`}>
          Changed your mind? Resume it and it renews as before; nothing is charged now.{' '}
          <button
            type="button"
            class="button button-secondary"
            onClick={() => void act(() => resumeSubscription(services))}
            disabled={working}
            aria-busy={working}
          >
            {working ? 'Resuming…' : 'Resume subscription'}
          </button>
        </Notice>
      )}
      {pending && subscription && (
        <Notice tone="info" title={`Your plan switches to ${pending.plan.name} on ${formatDate(pending.effective_at)}`}>
          Until then you keep {subscription.plan.name} and its included minutes.{' '}
          <button
            type="button"
            class="button button-secondary"
            onClick={() => void act(() => keepCurrentPlan(services, subscription.plan.id))}
            disabled={working}
            aria-busy={working}
          >
            {working ? 'Cancelling the switch…' : `Keep ${subscription.plan.name}`}
          </button>
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
        <div class="plan-grid" role="status" aria-busy="true" aria-label="Loading plans">
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
              // Only the plan AND period the subscriber has are current: yearly Starter is not monthly Starter.
              isCurrent={plan.id === currentPlanId && subscription?.billing_period === period}
              subscribedElsewhere={
                currentPlanId !== undefined && !(plan.id === currentPlanId && subscription?.billing_period === period)
              }
              onSwitch={canSwitch ? () => void change(plan.id, plan.name) : undefined}
              switchNote={switchNote}
              setupFeeApplies={setupFeeApplies}
              pendingFrom={
                pending && pending.plan.id === plan.id && subscription?.billing_period === period
                  ? pending.effective_at
                  : undefined
              }
              busy={buying === plan.id}
              disabled={buying !== undefined || working}
              onBuy={() => void buy(plan.id, plan.name)}
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
