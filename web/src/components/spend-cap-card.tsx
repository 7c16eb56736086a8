/**
 * The monthly spend cap (issue 11 §2; docs/http-api.md#spend-cap): how much of it this cycle's extra minutes used, a
 * form to set, change or remove it, and the usage e-mails sent this cycle. Amounts are typed in euros and sent as
 * integer cents, parsed from the text (never through a float), so "12.34" is exactly 1234.
 */
import { useState } from 'preact/hooks';
import type { BillingSummary, Usage } from '../api.ts';
import { errorSentence } from '../errors.ts';
import { centsToDecimal, formatDate, formatMoney } from '../format.ts';
import { useServices } from '../services.ts';
import { Notice } from './notice.tsx';

/** "12", "12.5", "12,50" → cents; undefined when it is not an amount ≥ 0 with at most two decimals. */
export function eurosToCents(text: string): number | undefined {
  const m = /^\s*(\d{1,13})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const ALERT_NAMES: Record<string, string> = {
  included_80: '80 % of the included minutes used',
  included_100: 'All included minutes used',
  spend_cap_reached: 'Spend cap reached',
};

export function SpendCapCard({
  orgId,
  usage,
  spendCap,
  alerts,
}: {
  orgId: string;
  usage: Usage | null;
  spendCap: BillingSummary['spend_cap'];
  alerts: NonNullable<BillingSummary['usage_alerts']>;
}) {
  const services = useServices();
  const currency = spendCap?.currency ?? usage?.currency ?? 'eur';
  const capCents = spendCap?.monthly_overage_cap_cents ?? null;
  const used = spendCap?.used_cents ?? usage?.overage_cost_cents ?? 0;
  const [amount, setAmount] = useState(capCents === null ? '' : centsToDecimal(capCents));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  async function save(cents: number | null) {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      await services.api.setSpendCap({ org_id: orgId, monthly_overage_cap_cents: cents });
      await services.account.refreshSummary();
      setSaved(cents === null ? 'Spend cap removed.' : `Spend cap set to ${formatMoney(cents, currency)}.`);
      setAmount(cents === null ? '' : centsToDecimal(cents));
    } catch (e) {
      setError(errorSentence(e));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const cents = eurosToCents(amount);
    if (cents === undefined) {
      setError('Enter an amount in euros of 0 or more, with at most two decimals (for example 50 or 49.50).');
      return;
    }
    void save(cents);
  }

  return (
    <section class="card spend-cap" aria-labelledby="spend-cap-heading">
      <h2 id="spend-cap-heading">Spend cap</h2>
      {capCents === null ? (
        <p>
          No cap: calls are never stopped for cost. Extra minutes this cycle so far:{' '}
          <strong>{formatMoney(used, currency)}</strong>.
        </p>
      ) : (
        <>
          <p id="spend-cap-text">
            <strong>{formatMoney(used, currency)}</strong> of your {formatMoney(capCents, currency)} cap on extra
            minutes used this cycle.
          </p>
          <meter
            class="spend-cap-meter"
            min={0}
            max={capCents}
            value={Math.min(used, capCents)}
            low={capCents * 0.8}
            high={capCents * 0.95}
            optimum={0}
            aria-labelledby="spend-cap-heading"
            aria-valuetext={`${formatMoney(used, currency)} of ${formatMoney(capCents, currency)} used`}
          />
        </>
      )}
      <form class="form spend-cap-form" onSubmit={submit}>
        <div class="field">
          <label for="spend-cap-amount">Stop new calls after this much in extra minutes per month (€)</label>
          <input
            id="spend-cap-amount"
            name="monthly_overage_cap"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="e.g. 50"
            value={amount}
            aria-describedby="spend-cap-help"
            onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
          />
          <p class="muted" id="spend-cap-help">
            Calls that already finished are always counted; the cap only stops new ones. 0 stops them once the included
            minutes are used up.
          </p>
        </div>
        <div class="spend-cap-actions">
          <button type="submit" class="button button-primary" disabled={busy} aria-busy={busy}>
            {capCents === null ? 'Set cap' : 'Change cap'}
          </button>
          {capCents !== null && (
            <button type="button" class="button button-quiet" disabled={busy} onClick={() => void save(null)}>
              Remove cap
            </button>
          )}
        </div>
      </form>
      {error && (
        <Notice tone="error" title="The cap was not saved">
          {error}
        </Notice>
      )}
      {saved && <Notice tone="success" title={saved} />}
      {alerts.length > 0 && (
        <div class="usage-alerts">
          <h3>E-mails sent this cycle</h3>
          <ul>
            {alerts.map((a) => (
              <li key={a.kind}>
                {ALERT_NAMES[a.kind] ?? a.kind}
                {a.sent_at ? ` — ${formatDate(a.sent_at)}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The dashboard's banner once the cap is reached: new calls are refused until it is raised or removed. */
export function SpendCapReachedBanner({ spendCap }: { spendCap: BillingSummary['spend_cap'] }) {
  if (!spendCap?.reached) return null;
  return (
    <Notice tone="error" title="Spend cap reached: new calls are stopped">
      Extra minutes this cycle cost {formatMoney(spendCap.used_cents, spendCap.currency)}, reaching your{' '}
      {formatMoney(spendCap.monthly_overage_cap_cents, spendCap.currency)} cap. Your voice agents cannot start new calls
      until the next cycle, or until you raise or remove the cap below. Calls that already finished are counted.
    </Notice>
  );
}
