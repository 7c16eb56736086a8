/**
 * /dashboard: the organisation's plan, status, usage and invoices. Arriving from Checkout (`?payment=success`) it
 * waits, visibly, for the webhook to activate the subscription: Stripe redirects the browser before (or while) it
 * delivers `checkout.session.completed`, so the first summary may not show the plan yet
 * (https://docs.stripe.com/checkout/fulfillment#redirect-hosted-checkout).
 */
import { useEffect, useState } from 'preact/hooks';
import { useAccountState } from '../account.ts';
import { Notice } from '../components/notice.tsx';
import { OrganisationPicker, OrganisationSwitcher } from '../components/organisation-choice.tsx';
import { InvoiceList } from '../components/invoice-list.tsx';
import { LazyCallsSection } from '../components/calls-lazy.tsx';
import { LinkedVoiceAgents } from '../components/linked-voice-agents.tsx';
import { PlanSummary } from '../components/plan-summary.tsx';
import { SpendCapCard, SpendCapReachedBanner } from '../components/spend-cap-card.tsx';
import { SubscriptionBanner } from '../components/subscription-status.tsx';
import { UsageCard } from '../components/usage-card.tsx';
import { errorSentence } from '../errors.ts';
import { navigate } from '../router.ts';
import { useServices } from '../services.ts';
import { usePlans } from '../use-plans.ts';

const POLL_EVERY_MS = 1_000;
const GIVE_UP_AFTER_MS = 60_000;
const SETTLED = new Set(['active', 'trialing', 'past_due', 'unpaid', 'canceled', 'incomplete_expired']);

export function DashboardPage({ url }: { url: URL }) {
  const services = useServices();
  const state = useAccountState(services.account);
  const plans = usePlans(services.api);
  const fromCheckout = url.searchParams.get('payment') === 'success';
  const [waitedTooLong, setWaitedTooLong] = useState(false);
  const [flash] = useState(state.flash);
  const [success] = useState(state.success);
  const subscription = state.summary?.subscription;
  const confirmed = subscription !== undefined && subscription !== null && SETTLED.has(subscription.status);

  useEffect(() => {
    if (flash) services.account.setFlash(undefined);
    if (success) services.account.setSuccess(undefined);
  }, []);

  useEffect(() => {
    if (state.session === null) navigate('/signin', { replace: true });
    else if (state.summary === null) navigate('/onboarding', { replace: true });
  }, [state.session, state.summary]);

  useEffect(() => {
    if (!fromCheckout || confirmed || !state.session) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        setWaitedTooLong(true);
        clearInterval(timer);
        return;
      }
      void services.account.refreshSummary().catch(() => {});
    }, POLL_EVERY_MS);
    return () => clearInterval(timer);
  }, [fromCheckout, confirmed, Boolean(state.session)]);

  if (state.summaryError && !state.summary) {
    return (
      <section>
        <h1 tabIndex={-1}>Your dashboard</h1>
        <Notice tone="error" title="Your billing could not be loaded">
          {errorSentence(state.summaryError)}{' '}
          <button
            type="button"
            class="button button-quiet"
            onClick={() => void services.account.refreshSummary().catch(() => {})}
          >
            Try again
          </button>
        </Notice>
      </section>
    );
  }
  if (state.session && state.choices) {
    return (
      <section>
        <h1 tabIndex={-1}>Your dashboard</h1>
        <OrganisationPicker choices={state.choices} />
      </section>
    );
  }
  if (!state.session || !state.summary) return <DashboardSkeleton />;

  const { organisation, usage, invoices } = state.summary;
  const plan =
    plans.status === 'ready' && subscription ? plans.plans.find((p) => p.id === subscription.plan.id) : undefined;

  return (
    <section class="dashboard">
      <div class="page-intro">
        <p class="eyebrow">{organisation.name}</p>
        <h1 tabIndex={-1}>Your dashboard</h1>
        <OrganisationSwitcher current={organisation.id} organisations={state.summary.organisations} />
      </div>
      {flash && (
        <Notice tone="error" title="Something needs your attention">
          {flash}
        </Notice>
      )}
      {success && (
        <Notice tone="success" title="Plan changed">
          {success}
        </Notice>
      )}
      {fromCheckout &&
        (confirmed ? (
          <Notice tone="success" title="Payment confirmed">
            Thank you! Your {subscription!.plan.name} plan is active and your voice agents are ready to take calls.
          </Notice>
        ) : waitedTooLong ? (
          <Notice tone="warning" title="Still confirming your payment">
            Stripe has not confirmed your payment yet. This page updates by itself; if nothing changes within a few
            minutes, reload it or contact support. You will not be charged twice.
          </Notice>
        ) : (
          <div class="notice notice-info notice-waiting" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true" />
            <div>
              <p class="notice-title">Confirming your payment…</p>
              <p>Stripe has received your payment. We are activating your plan; this usually takes a few seconds.</p>
            </div>
          </div>
        ))}
      {subscription && <SubscriptionBanner subscription={subscription} invoices={invoices} />}
      <SpendCapReachedBanner spendCap={state.summary.spend_cap} />
      {subscription ? (
        <div class="dashboard-grid">
          <PlanSummary subscription={subscription} plan={plan} orgId={organisation.id} />
          {usage ? (
            <UsageCard
              usage={usage}
              earlier={state.summary.usage_earlier_in_period}
              overageRateCents={plan?.overage_rate_cents ?? 50}
              now={new Date()}
            />
          ) : (
            <section class="card">
              <h2>Call minutes this month</h2>
              <p class="empty">
                No usage window is open. Minutes appear here once your plan is active and your agents take calls.
              </p>
            </section>
          )}
        </div>
      ) : (
        !fromCheckout && (
          <section class="card empty-state">
            <h2>You have no plan yet</h2>
            <p>
              Choose a plan to switch on your AI voice agents. Every plan includes a monthly allowance of call minutes.
            </p>
            <a class="button button-primary" href="/pricing">
              See plans and prices
            </a>
          </section>
        )
      )}
      {subscription && (
        <SpendCapCard
          orgId={organisation.id}
          usage={usage}
          spendCap={state.summary.spend_cap}
          alerts={state.summary.usage_alerts ?? []}
        />
      )}
      {subscription && <LazyCallsSection orgId={organisation.id} />}
      {fromCheckout && !subscription && !waitedTooLong ? (
        <div class="dashboard-grid" aria-hidden="true">
          <div class="card skeleton" />
          <div class="card skeleton" />
        </div>
      ) : (
        <InvoiceList invoices={invoices} />
      )}
      <LinkedVoiceAgents agents={state.summary.voice_agents ?? []} />
      {/* Voice agents report usage with this id (report-usage's org_id). */}
      <p class="muted org-id">
        Organisation ID for your voice agents' usage reports: <code>{organisation.id}</code>
      </p>
    </section>
  );
}

function DashboardSkeleton() {
  return (
    <section aria-busy="true">
      <h1 tabIndex={-1}>Your dashboard</h1>
      <p class="muted" role="status">
        Loading your plan and usage…
      </p>
      <div class="dashboard-grid" aria-hidden="true">
        <div class="card skeleton" />
        <div class="card skeleton" />
      </div>
    </section>
  );
}
