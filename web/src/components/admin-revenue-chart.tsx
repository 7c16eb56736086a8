/**
 * Paid revenue per month over the last 12 months as an SVG the page draws itself: one bar per month (the flat fees
 * and the overage stacked), accessible as one image with a title and a description, the figures also as a table.
 */
import type { AdminOverview } from '../api.ts';
import { formatMoney } from '../format.ts';

type Month = AdminOverview['revenue']['months'][number];

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 16, right: 16, bottom: 28, left: 64 };

const monthLabel = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-IE', { month: 'short', year: '2-digit', timeZone: 'UTC' });

export function RevenueChart({ months, currency }: { months: Month[]; currency: string }) {
  const top = Math.max(1, ...months.map((m) => m.paid_cents)) * 1.1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / months.length;
  const h = (cents: number) => (cents / top) * plotH;
  const total = months.reduce((n, m) => n + m.paid_cents, 0);
  const best = months.reduce((a, b) => (b.paid_cents > a.paid_cents ? b : a));
  const description =
    `${formatMoney(total, currency)} paid over 12 months` +
    (best.paid_cents > 0
      ? `; the highest month was ${monthLabel(best.month)} with ${formatMoney(best.paid_cents, currency)}`
      : '');
  return (
    <figure class="admin-chart">
      <svg
        role="img"
        aria-labelledby="revenue-chart-title revenue-chart-desc"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id="revenue-chart-title">Paid revenue per month, last 12 months</title>
        <desc id="revenue-chart-desc">{description}</desc>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} class="axis" />
        <text x={PAD.left - 8} y={PAD.top + 10} text-anchor="end" class="tick">
          {formatMoney(Math.round(top / 100) * 100, currency, { wholeIfExact: true })}
        </text>
        {months.map((m, i) => {
          const x = PAD.left + i * slot + slot * 0.15;
          const w = slot * 0.7;
          const overage = Math.min(m.overage_cents, m.paid_cents); // a refund may leave less paid than billed
          const flat = m.paid_cents - overage;
          return (
            <g key={m.month} data-month={m.month}>
              <rect class="bar-flat" x={x} width={w} y={PAD.top + plotH - h(flat)} height={h(flat)} />
              <rect class="bar-overage" x={x} width={w} y={PAD.top + plotH - h(m.paid_cents)} height={h(overage)} />
              <text x={x + w / 2} y={HEIGHT - 8} text-anchor="middle" class="tick">
                {monthLabel(m.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">
        <span class="swatch bar-flat" /> flat fees <span class="swatch bar-overage" /> overage
      </figcaption>
      <details>
        <summary>Revenue per month as a table</summary>
        <table>
          <caption>Paid invoices per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Invoices</th>
              <th scope="col">Paid</th>
              <th scope="col">of which overage</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">{m.month}</th>
                <td>{m.invoices}</td>
                <td>{formatMoney(m.paid_cents, currency)}</td>
                <td>{formatMoney(m.overage_cents, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
