/**
 * Issue 11 §4 in Chromium against a mocked API: the dashboard's Calls section pages the cycle's calls (newest first,
 * forward and back), downloads the whole cycle as CSV, and draws the minutes per day as an image with an accessible
 * name, the included minutes marked, and the figures as a table. Screenshot: test-artifacts/web/calls-*.png.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Route } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithBrowser, hasHorizontalScroll, snap } from './support/browser.ts';
import { PLANS, mockFunctions, signInAs, summary } from './support/mock-api.ts';
import { servedPages } from './support/served-pages.ts';

const pages = servedPages();
const DAY = 86_400_000;

/** 60 calls over the first ten days of the summary's cycle, with what the usage-records function would answer. */
function callLog(periodStart: string, periodEnd: string, included: number) {
  const start = Date.parse(periodStart);
  // Six calls on each of ten UTC days from the first midnight of the period, so they fall on exactly ten dates
  // whatever the time of day the test runs.
  const firstMidnight = Math.ceil(start / DAY) * DAY;
  const calls = Array.from({ length: 60 }, (_, i) => ({
    call_id: i === 7 ? 'call,"odd"=id' : `call-${String(i + 1).padStart(3, '0')}`,
    ended_at: new Date(firstMidnight + Math.floor(i / 6) * DAY + (i % 6) * 3_600_000 + 60_000).toISOString(),
    duration_seconds: 60 + i * 17.5,
    billed_minutes: Math.ceil((60 + i * 17.5) / 60),
    stripe_status: i < 55 ? ('sent' as const) : ('pending' as const),
    delivered_to_stripe: i < 55,
  })).reverse(); // newest first, as the server answers
  const used = calls.reduce((n, c) => n + c.billed_minutes, 0);
  const cycle = {
    id: '7b0c1a52-0000-4000-8000-000000000001',
    period_start: periodStart,
    period_end: periodEnd,
    status: 'active',
    included_minutes: included,
    minutes_used: used,
    currency: 'eur',
  };
  const days: Array<{ date: string; calls: number; billed_minutes: number }> = [];
  for (let t = start; t < Date.parse(periodEnd); t += DAY) {
    const date = new Date(t).toISOString().slice(0, 10);
    const those = calls.filter((c) => c.ended_at.slice(0, 10) === date);
    days.push({ date, calls: those.length, billed_minutes: those.reduce((n, c) => n + c.billed_minutes, 0) });
  }
  return { calls, cycle, days, used };
}

async function mockUsageRecords(
  context: BrowserContext,
  current: ReturnType<typeof callLog>,
  asked: string[],
  earlier?: ReturnType<typeof callLog>,
) {
  const organisation = { id: 'org-1', name: 'Acme Dental Clinics' };
  const cycles = [current.cycle, ...(earlier ? [earlier.cycle] : [])];
  await context.route('**/functions/v1/usage-records**', async (route: Route) => {
    const url = new URL(route.request().url());
    asked.push(url.search);
    const log = earlier && url.searchParams.get('cycle') === earlier.cycle.id ? earlier : current;
    if (url.searchParams.get('view') === 'daily') {
      const totals = { calls: log.calls.length, billed_minutes: log.used };
      await route.fulfill({ json: { organisation, cycle: log.cycle, days: log.days, totals } });
      return;
    }
    if (url.searchParams.get('format') === 'csv') {
      const rows = log.calls.map(
        (c) =>
          `${/[",]/.test(c.call_id) ? `"${c.call_id.replace(/"/g, '""')}"` : c.call_id},${c.ended_at},${c.duration_seconds},${c.billed_minutes},${c.stripe_status},${c.delivered_to_stripe}\r\n`,
      );
      await route.fulfill({
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': 'attachment; filename="aisyst-calls-test.csv"',
        },
        body: `call_id,ended_at,duration_seconds,billed_minutes,stripe_status,delivered_to_stripe\r\n${rows.join('')}`,
      });
      return;
    }
    const limit = Number(url.searchParams.get('limit'));
    const from = Number(url.searchParams.get('cursor') ?? '0');
    const calls = log.calls.slice(from, from + limit);
    const next = from + limit < log.calls.length ? String(from + limit) : null;
    await route.fulfill({
      json: { organisation, cycle: log.cycle, calls, next_cursor: next, cycles },
    });
  });
}

describeWithBrowser('the Calls section of the dashboard', (browser) => {
  it('pages the calls, downloads them as CSV, and charts the minutes per day with the allowance marked', async () => {
    const base = summary();
    const log = callLog(base.usage.period_start, base.usage.period_end, base.usage.included_minutes);
    const context = await pages.newContext(browser(), { acceptDownloads: true });
    await mockFunctions(context, {
      plans: { body: { plans: PLANS } },
      'billing-summary': { body: { ...base, usage: { ...base.usage, minutes_used: log.used } } },
    });
    const asked: string[] = [];
    await mockUsageRecords(context, log, asked);
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);

    const section = page.getByRole('region', { name: 'Calls' });
    const firstPage = section.getByRole('table', { name: 'Calls 1–25, newest first' });
    await firstPage.waitFor({ timeout: 15_000 });
    expect(await firstPage.locator('tbody tr').count()).toBe(25);
    expect(await firstPage.locator('tbody tr').first().innerText()).toContain('call-060');
    expect(await section.getByRole('button', { name: 'Newer calls' }).isDisabled()).toBe(true);

    // The chart: one image named by its title, the included minutes drawn, the figures also as a table.
    const chart = section.getByRole('img', { name: /^Minutes per day, / });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-labelledby')).toBe('calls-chart-title calls-chart-desc');
    expect(await section.locator('#calls-chart-desc').textContent()).toContain(
      `${log.used.toLocaleString('en-IE')} minutes used of 1,000 included`,
    );
    expect(await chart.locator('[data-testid="included-line"]').count()).toBe(1);
    expect(await chart.locator('rect').count()).toBe(10);
    await snap(page, 'calls-dashboard-section');
    await section.getByText('Minutes per day as a table').click();
    const perDay = section.getByRole('table', { name: /^Billed minutes per day/ });
    expect(await perDay.locator('tbody tr').count()).toBe(log.days.length);
    expect(await hasHorizontalScroll(page)).toBe(false);

    await section.getByRole('button', { name: 'Older calls' }).click();
    await section.getByRole('table', { name: 'Calls 26–50, newest first' }).waitFor();
    await section.getByRole('button', { name: 'Older calls' }).click();
    const lastPage = section.getByRole('table', { name: 'Calls 51–60, newest first' });
    await lastPage.waitFor();
    expect(await lastPage.locator('tbody tr').count()).toBe(10);
    expect(await lastPage.locator('tbody tr').last().innerText()).toContain('call-001');
    expect(await section.getByRole('button', { name: 'Older calls' }).isDisabled()).toBe(true);
    await section.getByRole('button', { name: 'Newer calls' }).click();
    await section.getByRole('table', { name: 'Calls 26–50, newest first' }).waitFor();
    await snap(page, 'calls-dashboard-page-2');
    expect(asked.filter((q) => q.includes('cursor='))).toEqual(
      expect.arrayContaining([expect.stringContaining('cursor=25'), expect.stringContaining('cursor=50')]),
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download all calls (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('aisyst-calls-test.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(61);
    expect(lines[0]).toBe('call_id,ended_at,duration_seconds,billed_minutes,stripe_status,delivered_to_stripe');
    expect(csv).toContain('"call,""odd""=id"');
    expect(asked.some((q) => q.includes('format=csv') && q.includes('org_id=org-1'))).toBe(true);

    await page.setViewportSize({ width: 390, height: 900 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'calls-dashboard-phone');
  });

  it('shows an earlier billing cycle when the owner picks it', async () => {
    const base = summary();
    const current = callLog(base.usage.period_start, base.usage.period_end, 1_000);
    const monthBefore = new Date(Date.parse(base.usage.period_start) - 30 * DAY).toISOString();
    const earlier = callLog(monthBefore, base.usage.period_start, 1_000);
    earlier.cycle.id = '7b0c1a52-0000-4000-8000-000000000000';
    earlier.cycle.status = 'closed';
    for (const call of earlier.calls) call.call_id = `old-${call.call_id}`;
    const context = await pages.newContext(browser());
    await mockFunctions(context, { plans: { body: { plans: PLANS } }, 'billing-summary': { body: base } });
    const asked: string[] = [];
    await mockUsageRecords(context, current, asked, earlier);
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);
    const section = page.getByRole('region', { name: 'Calls' });
    await section.getByRole('table', { name: 'Calls 1–25, newest first' }).waitFor({ timeout: 15_000 });
    await section.getByLabel('Billing cycle').selectOption(earlier.cycle.id);
    await expect
      .poll(() =>
        section.getByRole('table', { name: 'Calls 1–25, newest first' }).locator('tbody tr').first().innerText(),
      )
      .toContain('old-call-060');
    expect(asked.filter((q) => q.includes(`cycle=${earlier.cycle.id}`)).length).toBeGreaterThanOrEqual(2); // page and days
  });

  it('says so when the calls cannot be loaded, and the rest of the dashboard still shows', async () => {
    const context = await pages.newContext(browser());
    await mockFunctions(context, {
      plans: { body: { plans: PLANS } },
      'billing-summary': { body: summary() },
      'usage-records': {
        status: 503,
        body: { error: 'database_unavailable', message: 'The service is temporarily unavailable.' },
      },
    });
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);
    const alert = page.getByRole('region', { name: 'Calls' }).getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.innerText()).toContain('AiSyst is briefly unavailable');
    expect(await page.getByRole('progressbar').count()).toBe(1);
    await snap(page, 'calls-dashboard-unavailable');
  });
});
