/**
 * Minutes per day over the cycle, as an SVG the page draws itself (no chart library: a few rectangles and a line).
 * Bars: billed minutes each day; line: minutes used so far; dashed line: the plan's included minutes, so the day the
 * allowance runs out is visible. Accessible as one image with a title and a description that says what it shows
 * (role="img", aria-labelledby; an image's children are presentational, so its shapes need no aria-hidden), and the
 * same figures as a table for anyone who prefers numbers.
 */
import type { DailyMinutes } from './calls-api.ts';
import { formatMinutes, formatPeriod, readerLocale } from '../format.ts';

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 16, right: 16, bottom: 28, left: 48 };

export function CallsChart({ daily }: { daily: DailyMinutes }) {
  const { cycle, days } = daily;
  if (!cycle || days.length === 0) return null;
  let runningTotal = 0;
  const points = days.map((d) => {
    runningTotal += d.billed_minutes;
    return { ...d, soFar: runningTotal };
  });
  const included = cycle.included_minutes;
  const top = Math.max(included, runningTotal, 1) * 1.1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / points.length;
  const y = (minutes: number) => PAD.top + plotH - (minutes / top) * plotH;
  const x = (i: number) => PAD.left + i * slot;
  // "Used so far" stops at today: days still to come have no usage yet, and a flat line there would read as a forecast.
  const today = new Date().toISOString().slice(0, 10);
  const sofar = points.filter((p) => p.date <= today).map((p, i) => ({ cx: x(i) + slot / 2, cy: y(p.soFar) }));
  const line = sofar.map((p) => `${p.cx.toFixed(1)},${p.cy.toFixed(1)}`).join(' ');
  const latest = sofar.at(-1);
  const period = formatPeriod(cycle.period_start, cycle.period_end);
  const crossed = points.find((p) => p.soFar > included);
  const busiest = points.reduce((a, b) => (b.billed_minutes > a.billed_minutes ? b : a));
  const summary =
    `${formatMinutes(runningTotal)} minutes used of ${formatMinutes(included)} included` +
    (crossed ? `; the included minutes ran out on ${dayLabel(crossed.date)}` : '') +
    (busiest.billed_minutes > 0
      ? `; busiest day ${dayLabel(busiest.date)} with ${formatMinutes(busiest.billed_minutes)} minutes`
      : '') +
    '.';

  return (
    <figure class="calls-chart" style={{ margin: '1rem 0' }}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-labelledby="calls-chart-title calls-chart-desc"
        data-testid="calls-chart"
        style={{ height: 'auto', display: 'block' }}
      >
        <title id="calls-chart-title">Minutes per day, {period}</title>
        <desc id="calls-chart-desc">
          Bars show the billed minutes of each day, the line the minutes used so far, the dashed line the{' '}
          {formatMinutes(included)} included minutes. {summary}
        </desc>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} style={{ stroke: 'var(--line)' }} />
        <g style={{ fill: 'var(--brand)', opacity: 0.55 }}>
          {points.map((p, i) =>
            p.billed_minutes > 0 ? (
              <rect
                key={p.date}
                x={x(i) + slot * 0.15}
                width={Math.max(1, slot * 0.7)}
                y={y(p.billed_minutes)}
                height={y(0) - y(p.billed_minutes)}
              />
            ) : null,
          )}
        </g>
        <polyline points={line} style={{ fill: 'none', stroke: 'var(--brand-ink)', strokeWidth: 2 }} />
        {latest && <circle cx={latest.cx} cy={latest.cy} r={3.5} style={{ fill: 'var(--brand-ink)' }} />}
        <line
          data-testid="included-line"
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={y(included)}
          y2={y(included)}
          style={{ stroke: 'var(--warn)', strokeWidth: 1.5, strokeDasharray: '6 4' }}
        />
        <g style={{ fill: 'var(--ink-2)', fontSize: '12px' }}>
          <text x={WIDTH - PAD.right} y={y(included) - 6} text-anchor="end" style={{ fill: 'var(--warn)' }}>
            {formatMinutes(included)} included
          </text>
          <text x={PAD.left - 6} y={y(0) + 4} text-anchor="end">
            0
          </text>
          <text x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
            {formatMinutes(Math.round(top))}
          </text>
          <text x={PAD.left} y={HEIGHT - 8}>
            {dayLabel(points[0]!.date)}
          </text>
          <text x={WIDTH - PAD.right} y={HEIGHT - 8} text-anchor="end">
            {dayLabel(points.at(-1)!.date)}
          </text>
        </g>
      </svg>
      <details style={{ marginTop: '0.5rem' }}>
        <summary>Minutes per day as a table</summary>
        <table class="calls-table">
          <caption class="visually-hidden">Billed minutes per day, {period}</caption>
          <thead>
            <tr>
              <th scope="col" style={CELL}>
                Day
              </th>
              <th scope="col" style={CELL}>
                Calls
              </th>
              <th scope="col" style={CELL}>
                Minutes
              </th>
              <th scope="col" style={CELL}>
                Used so far
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.date}>
                <th scope="row" style={{ ...CELL, whiteSpace: 'nowrap' }}>
                  {dayLabel(p.date)}
                </th>
                <td style={CELL}>{formatMinutes(p.calls)}</td>
                <td style={CELL}>{formatMinutes(p.billed_minutes)}</td>
                <td style={CELL}>{formatMinutes(p.soFar)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

const CELL = { padding: '0.2rem 1rem 0.2rem 0', textAlign: 'left' } as const;

/** "5 Nov" for the UTC day `YYYY-MM-DD` (the server's days are UTC days). */
function dayLabel(date: string): string {
  return new Intl.DateTimeFormat(readerLocale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}
