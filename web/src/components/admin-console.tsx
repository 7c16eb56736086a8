/**
 * The operator console (issue 12 §2): revenue, customers, pipelines, and the three actions (retry deliveries,
 * replay Stripe events, reconcile). Loads GET admin-overview; a 404 means the user is no operator, and the page
 * says what it says for any unknown page. Each action is a POST admin-actions, audited by the server; the overview
 * is read again after it.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type AdminAction, type AdminOverview, ApiError } from '../api.ts';
import { errorSentence } from '../errors.ts';
import { formatDate, formatMinutes, formatMoney } from '../format.ts';
import { NotFoundPage } from '../pages/not-found.tsx';
import { useServices } from '../services.ts';
import { RevenueChart } from './admin-revenue-chart.tsx';
import './admin-console.css';

type State =
  | { kind: 'loading' }
  | { kind: 'not-found' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; data: AdminOverview };

const ACTION_LABELS: Record<AdminAction, string> = {
  retry_deliveries: 'Retry now',
  replay_stripe_events: 'Replay',
  reconcile: 'Reconcile now',
};

export default function AdminConsole() {
  const { api } = useServices();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [running, setRunning] = useState<AdminAction | undefined>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setState({ kind: 'ready', data: await api.adminOverview() });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'not_found' || error.status === 401))
        setState({ kind: 'not-found' });
      else setState({ kind: 'error', message: errorSentence(error) });
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (action: AdminAction) => {
    setRunning(action);
    setOutcome(undefined);
    try {
      const { result } = await api.adminAction(action);
      setOutcome(`${ACTION_LABELS[action]}: ${describeResult(result)}`);
      await load();
    } catch (error) {
      setOutcome(`${ACTION_LABELS[action]} failed: ${errorSentence(error)}`);
    } finally {
      setRunning(undefined);
    }
  };

  if (state.kind === 'not-found') return <NotFoundPage />;
  if (state.kind !== 'ready') {
    return (
      <section aria-busy={state.kind === 'loading'}>
        <h1 tabIndex={-1}>Operator console</h1>
        <p class="muted" role={state.kind === 'error' ? 'alert' : 'status'}>
          {state.kind === 'error' ? state.message : 'Loading…'}
        </p>
      </section>
    );
  }
  const { revenue, customers, pipelines } = state.data;
  const currency = revenue.mrr[0]?.currency ?? 'eur';
  const button = (action: AdminAction) => (
    <button type="button" class="button" disabled={running !== undefined} onClick={() => void run(action)}>
      {running === action ? 'Working…' : ACTION_LABELS[action]}
    </button>
  );
  const delivery = pipelines.usage_delivery;
  const reconciliation = pipelines.reconciliation;

  return (
    <div class="admin">
      <h1 tabIndex={-1}>Operator console</h1>
      <p class="muted">As of {new Date(state.data.generated_at).toLocaleString('en-IE', { timeZone: 'UTC' })} UTC</p>
      {outcome && (
        <p class="notice notice-info" role="status">
          {outcome}
        </p>
      )}

      <section class="card" aria-labelledby="revenue-heading">
        <h2 id="revenue-heading">Revenue</h2>
        <dl class="admin-figures">
          <div>
            <dt>MRR</dt>
            <dd data-testid="mrr">
              {revenue.mrr.map((m) => formatMoney(m.cents, m.currency)).join(' + ') || formatMoney(0)}
            </dd>
          </div>
          <div>
            <dt>Overage this month (ledger)</dt>
            <dd data-testid="overage-this-month">
              {revenue.overage_this_month.map((m) => formatMoney(m.cents, m.currency)).join(' + ') || formatMoney(0)}
            </dd>
          </div>
        </dl>
        <RevenueChart months={revenue.months} currency={currency} />
      </section>

      <section class="card" aria-labelledby="customers-heading">
        <h2 id="customers-heading">Customers</h2>
        <ul class="admin-statuses">
          {Object.entries(customers.by_status).map(([status, n]) => (
            <li key={status}>
              <strong>{n}</strong> {status.replace('_', ' ')}
            </li>
          ))}
        </ul>
        <h3>Past due</h3>
        {customers.past_due.length === 0 ? (
          <p class="muted">Nobody is past due.</p>
        ) : (
          <table aria-label="Past-due customers">
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col">Amount due</th>
                <th scope="col">Days overdue</th>
                <th scope="col">Invoice</th>
              </tr>
            </thead>
            <tbody>
              {customers.past_due.map((p) => (
                <tr key={p.stripe_subscription_id}>
                  <th scope="row">{p.org_name}</th>
                  <td>{p.amount_due_cents === null ? '—' : formatMoney(p.amount_due_cents, p.currency ?? currency)}</td>
                  <td>{p.days_overdue ?? '—'}</td>
                  <td>
                    {p.invoice_url ? (
                      <a href={p.invoice_url} data-external target="_blank" rel="noreferrer">
                        {p.invoice_id}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" aria-labelledby="pipelines-heading">
        <h2 id="pipelines-heading">Pipelines</h2>

        <h3>Usage delivery to Stripe</h3>
        <p data-testid="delivery-queue">
          {delivery.pending} pending, {delivery.failed} failed
          {delivery.oldest_pending_age_seconds !== null &&
            `; oldest waiting ${age(delivery.oldest_pending_age_seconds)}`}
        </p>
        {delivery.failures.length > 0 && (
          <table aria-label="Failed deliveries">
            <thead>
              <tr>
                <th scope="col">Call</th>
                <th scope="col">Organisation</th>
                <th scope="col">Minutes</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {delivery.failures.map((f) => (
                <tr key={f.call_id}>
                  <th scope="row">{f.call_id}</th>
                  <td>{f.org_name}</td>
                  <td>{formatMinutes(f.billed_minutes)}</td>
                  <td>{f.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {button('retry_deliveries')}

        <h3>Stripe events not applied</h3>
        <p data-testid="stripe-events">{pipelines.stripe_events.unapplied} recorded but not applied</p>
        {pipelines.stripe_events.events.length > 0 && (
          <ul>
            {pipelines.stripe_events.events.map((e) => (
              <li key={e.id}>
                <code>{e.type}</code> {e.id}, received {formatDate(e.received_at)}
              </li>
            ))}
          </ul>
        )}
        {button('replay_stripe_events')}

        <h3>Voice calls nobody pays for</h3>
        <p data-testid="voice-events">{pipelines.voice_events.unbilled} unattributed or refused</p>
        {pipelines.voice_events.events.length > 0 && (
          <ul>
            {pipelines.voice_events.events.map((e) => (
              <li key={`${e.platform}:${e.event_id}`}>
                {e.platform} {e.call_id ?? e.event_id}: {e.status}
                {e.reason ? ` (${e.reason})` : ''}
              </li>
            ))}
          </ul>
        )}

        <h3>Reconciliation with Stripe</h3>
        <p data-testid="reconciliation">
          {reconciliation
            ? `Last run ${new Date(reconciliation.checked_at).toLocaleString('en-IE', { timeZone: 'UTC' })} UTC: ${reconciliation.cycles} cycles, ${reconciliation.drifting} with drift`
            : 'No reconciliation has run yet.'}
        </p>
        {reconciliation && reconciliation.drift.length > 0 && (
          <table aria-label="Cycles with drift">
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Cycle from</th>
                <th scope="col">Ledger</th>
                <th scope="col">Meter</th>
                <th scope="col">Invoice</th>
                <th scope="col">Finding</th>
              </tr>
            </thead>
            <tbody>
              {reconciliation.drift.map((d) => (
                <tr key={`${d.org_id}:${d.window_start}`}>
                  <th scope="row">{d.stripe_customer_id ?? d.org_id}</th>
                  <td>{formatDate(d.window_start)}</td>
                  <td>{d.ledger_minutes}</td>
                  <td>{d.stripe_meter_minutes ?? '—'}</td>
                  <td>{d.invoice_minutes ?? '—'}</td>
                  <td>{d.finding}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {button('reconcile')}
      </section>
    </div>
  );
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function describeResult(result: Record<string, unknown>): string {
  return Object.entries(result)
    .filter(([key]) => key !== 'run_id')
    .map(([key, value]) => `${key.replaceAll('_', ' ')} ${String(value)}`)
    .join(', ');
}
