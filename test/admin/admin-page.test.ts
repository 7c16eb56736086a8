/**
 * /admin in Chromium against a mocked API: an operator sees revenue (MRR, this month's overage, a 12-month chart
 * with the figures as a table), customers (by status, the past-due list linking to the invoice) and the pipelines;
 * "Retry now" posts the action and the page shows the queue cleared. Anyone the API answers 404 sees the ordinary
 * not-found page. Screenshots: test-artifacts/web/admin-*.png.
 */
import { expect, it } from 'vitest';
import type { AdminOverview } from '../../web/src/api.ts';
import { describeWithBrowser, hasHorizontalScroll, snap } from '../web/support/browser.ts';
import { mockFunctions, signInAs } from '../web/support/mock-api.ts';
import { servedPages } from '../web/support/served-pages.ts';

const pages = servedPages();

function overview(failed: boolean): AdminOverview {
  const months = Array.from({ length: 12 }, (_, i) => {
    const month = new Date(Date.UTC(2026, i, 1)).toISOString().slice(0, 7);
    const paid = i < 4 ? 0 : 20_400 * (i - 2) + (i % 3) * 36_700;
    return { month, paid_cents: paid, overage_cents: i < 4 ? 0 : (i % 3) * 36_700, invoices: i < 4 ? 0 : i - 2 };
  });
  return {
    generated_at: '2026-12-01T12:00:00.000Z',
    revenue: {
      mrr: [{ currency: 'eur', cents: 53_340 }],
      overage_this_month: [{ currency: 'eur', cents: 36_700 }],
      months,
    },
    customers: {
      by_status: { active: 7, past_due: 1, canceled: 2, none: 3 },
      past_due: [
        {
          org_id: 'org-9',
          org_name: 'Overdue Dental Ltd',
          status: 'past_due',
          stripe_subscription_id: 'sub_9',
          invoice_id: 'in_overdue',
          amount_due_cents: 20_400,
          currency: 'eur',
          days_overdue: 6,
          invoice_url: 'https://invoice.stripe.test/in_overdue',
        },
      ],
    },
    pipelines: {
      usage_delivery: {
        pending: failed ? 3 : 0,
        failed: failed ? 1 : 0,
        oldest_pending_at: failed ? '2026-12-01T11:40:00.000Z' : null,
        oldest_pending_age_seconds: failed ? 1_200 : null,
        failures: failed
          ? [
              {
                call_id: 'call-refused-1',
                org_name: 'Acme Voice Ltd',
                ended_at: '2026-11-30T10:00:00.000Z',
                billed_minutes: 12,
                error: 'StripeInvalidRequestError 400 timestamp_out_of_range',
              },
            ]
          : [],
      },
      stripe_events: { unapplied: 0, oldest_received_at: null, events: [] },
      voice_events: {
        unbilled: 1,
        events: [
          {
            platform: 'twilio',
            event_id: 'CA1:completed',
            status: 'unattributed',
            reason: 'no organisation for +4930123',
            call_id: 'twilio:CA1',
            received_at: '2026-11-30T09:00:00.000Z',
          },
        ],
      },
      reconciliation: {
        run_id: 'run-1',
        checked_at: '2026-12-01T06:00:00.000Z',
        cycles: 12,
        drifting: 1,
        drift: [
          {
            org_id: 'org-3',
            stripe_customer_id: 'cus_drift',
            window_start: '2026-11-01T00:00:00.000Z',
            ledger_minutes: 20,
            stripe_meter_minutes: 27,
            invoice_minutes: null,
            meter_difference_minutes: 7,
            invoice_difference_minutes: 0,
            status: 'drift',
            finding: "Stripe's meter holds 7 min more than the ledger",
          },
        ],
      },
    },
    recent_actions: [],
  };
}

describeWithBrowser('the operator console at /admin', (browser) => {
  it('shows revenue, customers and pipelines to an operator; "Retry now" clears the failed delivery', async () => {
    const context = await pages.newContext(browser());
    let retried = false;
    const calls = await mockFunctions(context, {
      'admin-overview': () => ({ body: overview(!retried) }),
      'admin-actions': (_url, body) => {
        retried = body?.action === 'retry_deliveries';
        return {
          body: { action_id: 'a1', result: { requeued_failed: 1, made_due: 2, sent: 4, failed: 0, pending: 0 } },
        };
      },
    });
    await signInAs(context, 'ops@example.com');
    const page = await context.newPage();
    await page.goto(`${pages.url}/admin`);

    await page.getByRole('heading', { name: 'Operator console', level: 1 }).waitFor({ timeout: 15_000 });
    const revenue = page.getByRole('region', { name: 'Revenue' });
    await revenue.getByTestId('mrr').waitFor();
    expect(await revenue.getByTestId('mrr').textContent()).toBe('€533.40');
    expect(await revenue.getByTestId('overage-this-month').textContent()).toBe('€367.00');
    const chart = revenue.getByRole('img', { name: 'Paid revenue per month, last 12 months' });
    expect(await chart.locator('g[data-month]').count()).toBe(12);
    expect(await chart.locator('desc').textContent()).toMatch(
      /^€[\d,.]+ paid over 12 months; the highest month was Dec 26/,
    );

    const customers = page.getByRole('region', { name: 'Customers' });
    expect(await customers.locator('.admin-statuses').textContent()).toMatch(/7 active[\s\S]*1 past due/);
    const pastDue = customers.getByRole('table', { name: 'Past-due customers' });
    expect(await pastDue.locator('tbody tr th, tbody tr td').allTextContents()).toEqual([
      'Overdue Dental Ltd',
      '€204.00',
      '6',
      'in_overdue',
    ]);
    expect(await pastDue.getByRole('link', { name: 'in_overdue' }).getAttribute('href')).toBe(
      'https://invoice.stripe.test/in_overdue',
    );

    const pipelines = page.getByRole('region', { name: 'Pipelines' });
    expect(await pipelines.getByTestId('delivery-queue').textContent()).toBe(
      '3 pending, 1 failed; oldest waiting 20 min',
    );
    expect(await pipelines.getByRole('table', { name: 'Failed deliveries' }).textContent()).toContain(
      'timestamp_out_of_range',
    );
    expect(await pipelines.getByTestId('voice-events').textContent()).toBe('1 unattributed or refused');
    expect(await pipelines.getByTestId('reconciliation').textContent()).toMatch(/12 cycles, 1 with drift$/);
    expect(await pipelines.getByRole('table', { name: 'Cycles with drift' }).textContent()).toContain('cus_drift');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'admin-console');

    await pipelines.getByRole('button', { name: 'Retry now' }).click();
    await page.getByRole('status').filter({ hasText: 'Retry now: requeued failed 1' }).waitFor();
    await pipelines.getByTestId('delivery-queue').filter({ hasText: '0 pending, 0 failed' }).waitFor();
    expect(await pipelines.getByRole('table', { name: 'Failed deliveries' }).count()).toBe(0);
    expect(calls.filter((c) => c.startsWith('POST'))).toEqual(['POST admin-actions']);
    await snap(page, 'admin-console-after-retry');

    await page.setViewportSize({ width: 390, height: 900 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'admin-console-phone');
  });

  it('shows the not-found page to someone the API does not know as an operator', async () => {
    const context = await pages.newContext(browser());
    await mockFunctions(context, {
      'admin-overview': { status: 404, body: { error: 'not_found', message: 'Not found.' } },
    });
    await signInAs(context, 'owner@example.com');
    const page = await context.newPage();
    await page.goto(`${pages.url}/admin`);
    await page.getByRole('heading', { name: 'We could not find that page' }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('Pipelines').count()).toBe(0);
    await snap(page, 'admin-not-an-operator');
  });
});
