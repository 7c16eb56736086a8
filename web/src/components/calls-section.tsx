/**
 * The dashboard's "Calls" section: the cycle's calls in pages (newest first, the server's keyset cursor; "Newer"
 * goes back through the cursors already seen), the whole cycle as a CSV download, and the minutes per day as a chart
 * (calls-chart.tsx). Loaded on demand (calls-lazy.tsx), so the pricing page's bundle does not carry it.
 */
import { useEffect, useState } from 'preact/hooks';
import { errorSentence } from '../errors.ts';
import { formatMinutes, formatPeriod, readerLocale } from '../format.ts';
import { useServices } from '../services.ts';
import { type CallLogPage, type CallView, createCallsClient, type DailyMinutes } from './calls-api.ts';
import { CallsChart } from './calls-chart.tsx';

export const CALLS_PER_PAGE = 25;

const STRIPE_STATE: Record<CallView['stripe_status'], string> = {
  sent: 'Sent',
  pending: 'Waiting',
  failed: 'Failed',
  unbilled: 'Not billed',
};

export default function CallsSection({ orgId }: { orgId: string }) {
  const services = useServices();
  const [client] = useState(() => createCallsClient(services));
  const [cycleId, setCycleId] = useState<string | undefined>(undefined);
  // cursors[i] opens page i (null: the first page); the last entry is the page shown.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<CallLogPage | undefined>(undefined);
  const [daily, setDaily] = useState<DailyMinutes | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(undefined);

  const cursor = cursors.at(-1) ?? null;
  useEffect(() => {
    let current = true;
    setError(undefined);
    client
      .page({ orgId, cycleId, cursor, limit: CALLS_PER_PAGE })
      .then((p) => current && setPage(p))
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [orgId, cycleId, cursor]);

  useEffect(() => {
    let current = true;
    client
      .daily({ orgId, cycleId })
      .then((d) => current && setDaily(d))
      .catch((e: unknown) => current && setError(e));
    return () => {
      current = false;
    };
  }, [orgId, cycleId]);

  async function download() {
    setDownloading(true);
    setDownloadError(undefined);
    try {
      const start = page?.cycle?.period_start.slice(0, 10) ?? 'cycle';
      const { blob, filename } = await client.csv({ orgId, cycleId }, `aisyst-calls-${start}.csv`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      // The click has handed the file to the browser; the URL can go once this task is done.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (e) {
      setDownloadError(e);
    } finally {
      setDownloading(false);
    }
  }

  const chooseCycle = (id: string) => {
    setCycleId(id === '' ? undefined : id);
    setCursors([null]);
    setPage(undefined);
    setDaily(undefined);
  };

  const cycle = page?.cycle ?? null;
  const first = (cursors.length - 1) * CALLS_PER_PAGE + 1;
  return (
    <section class="card calls" aria-labelledby="calls-heading" aria-busy={page === undefined && !error}>
      <h2 id="calls-heading">Calls</h2>
      {page && page.cycles.length > 1 && (
        <p>
          <label>
            Billing cycle{' '}
            <select value={cycleId ?? ''} onChange={(e) => chooseCycle((e.target as HTMLSelectElement).value)}>
              <option value="">Current</option>
              {page.cycles.map((c) => (
                <option key={c.id} value={c.id}>
                  {formatPeriod(c.period_start, c.period_end)}
                </option>
              ))}
            </select>
          </label>
        </p>
      )}
      {error !== undefined ? (
        <p class="notice notice-error" role="alert">
          Your calls could not be loaded. {errorSentence(error)}
        </p>
      ) : !page ? (
        <p class="muted" role="status">
          Loading your calls…
        </p>
      ) : !cycle ? (
        <p class="empty">No calls yet. Calls appear here once your plan is active and your agents take calls.</p>
      ) : (
        <>
          <p class="muted">
            {formatPeriod(cycle.period_start, cycle.period_end)} · {formatMinutes(cycle.minutes_used)} of{' '}
            {formatMinutes(cycle.included_minutes)} included minutes used
          </p>
          {daily && <CallsChart daily={daily} />}
          {page.calls.length === 0 && cursors.length === 1 ? (
            <p class="empty">No calls in this cycle yet.</p>
          ) : (
            // On a phone the table scrolls sideways inside the card rather than squeezing dates onto four lines.
            <div style={{ overflowX: 'auto' }}>
              <table class="calls-table" style={{ width: '100%', minWidth: '36rem', borderCollapse: 'collapse' }}>
                <caption class="visually-hidden">
                  Calls {first}–{first + page.calls.length - 1}, newest first
                </caption>
                <thead>
                  <tr>
                    <th scope="col" style={CELL}>
                      Ended
                    </th>
                    <th scope="col" style={CELL}>
                      Call ID
                    </th>
                    <th scope="col" style={{ ...CELL, textAlign: 'right' }}>
                      Duration
                    </th>
                    <th scope="col" style={{ ...CELL, textAlign: 'right' }}>
                      Billed minutes
                    </th>
                    <th scope="col" style={CELL}>
                      Sent to Stripe
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.calls.map((call) => (
                    <tr key={call.call_id}>
                      <td style={{ ...CELL, whiteSpace: 'nowrap' }}>{endedLabel(call.ended_at)}</td>
                      <td style={{ ...CELL, wordBreak: 'break-all' }}>
                        <code>{call.call_id}</code>
                      </td>
                      <td style={{ ...CELL, textAlign: 'right' }}>{durationLabel(call.duration_seconds)}</td>
                      <td style={{ ...CELL, textAlign: 'right' }}>{formatMinutes(call.billed_minutes)}</td>
                      <td style={CELL}>{STRIPE_STATE[call.stripe_status]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav
            class="calls-paging"
            aria-label="Pages of calls"
            style={{ display: 'flex', gap: '0.5rem', marginTop: '0.75rem', flexWrap: 'wrap', alignItems: 'center' }}
          >
            <button
              type="button"
              class="button button-quiet"
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Newer calls
            </button>
            <button
              type="button"
              class="button button-quiet"
              disabled={!page.next_cursor}
              onClick={() => page.next_cursor && setCursors([...cursors, page.next_cursor])}
            >
              Older calls
            </button>
            <button
              type="button"
              class="button button-secondary"
              disabled={downloading}
              onClick={() => void download()}
            >
              {downloading ? 'Preparing the CSV…' : 'Download all calls (CSV)'}
            </button>
          </nav>
          {downloadError !== undefined && (
            <p class="notice notice-error" role="alert">
              The CSV could not be downloaded. {errorSentence(downloadError)}
            </p>
          )}
        </>
      )}
    </section>
  );
}

const CELL = { padding: '0.4rem 0.5rem', borderBottom: '1px solid var(--line)', textAlign: 'left' } as const;

function endedLabel(iso: string): string {
  return new Intl.DateTimeFormat(readerLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** 125.25 → "2:05" (minutes:seconds, whole seconds rounded up as billing does per call). */
function durationLabel(seconds: number): string {
  const whole = Math.ceil(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
