/**
 * Issue 8, item 14, in Chromium against a mocked API: only the plan AND period one has is "current"; a switch
 * names what is due now and ends in a success notice; a pending downgrade reads "switches to … on …" and can be
 * kept; a scheduled cancellation is resumed, not switched around; the setup fee is said to apply only to a first
 * subscription; sign-up names the plan chosen, also in a new tab; a new user's dashboard logs no 404.
 * Screenshots: test-artifacts/web/seen-*.png.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithBrowser, snap } from './support/browser.ts';
import { PLANS, mockFunctions, signInAs, summary, type ApiAnswer } from './support/mock-api.ts';
import { servedPages } from './support/served-pages.ts';

const pages = servedPages();

type Answer = ApiAnswer | ((url: URL, body: Record<string, unknown> | undefined) => ApiAnswer | Promise<ApiAnswer>);

describeWithBrowser('what a customer sees', (browser) => {
  async function open(
    path: string,
    answers: Record<string, Answer>,
    signedIn = true,
    before?: (page: Page) => void,
  ): Promise<Page> {
    const context = await pages.newContext(browser());
    await mockFunctions(context, { plans: { body: { plans: PLANS } }, ...answers });
    if (signedIn) await signInAs(context);
    const page = await context.newPage();
    before?.(page);
    await page.goto(`${pages.url}${path}`);
    return page;
  }

  const starterMonthly = () => {
    const base = summary();
    return { ...base, subscription: { ...base.subscription, plan: { id: 'plan-starter', name: 'Starter' } } };
  };

  it('a monthly Starter subscriber is not told yearly Starter is their current plan', async () => {
    const page = await open('/pricing', { 'billing-summary': { body: starterMonthly() } });
    const starter = page.locator('article[data-plan="Starter"]');
    await expect.poll(() => starter.innerText(), { timeout: 15_000 }).toContain('Your current plan');
    await page.getByLabel('Yearly').check();
    await expect.poll(() => starter.innerText()).not.toContain('Your current plan');
    expect(await starter.innerText()).toContain('switching between monthly and yearly billing is not available online');
    await snap(page, 'seen-yearly-toggle-monthly-subscriber');
  });

  it('the switch confirmation names the amount due now and the next invoice, and a success notice follows', async () => {
    const base = summary();
    let switched = false;
    const page = await open('/pricing', {
      'billing-summary': () => ({
        body: switched
          ? { ...base, subscription: { ...base.subscription, plan: { id: 'plan-enterprise', name: 'Enterprise' } } }
          : base,
      }),
      'change-plan': (_url, body) => {
        if (body?.preview)
          return {
            body: {
              plan_id: 'plan-enterprise',
              preview: true,
              effective_at: null,
              due_now_cents: 0,
              currency: 'eur',
              next_invoice: { total_cents: 75_300, date: '2026-12-01T00:00:00.000Z', proration_cents: 12_900 },
            },
          };
        switched = true;
        return {
          body: {
            plan_id: 'plan-enterprise',
            billing_period: 'monthly',
            changed: true,
            effective_at: null,
            pending_change: null,
          },
        };
      },
    });
    await page.getByRole('button', { name: 'Switch to Enterprise' }).click();
    const enterprise = page.locator('article[data-plan="Enterprise"]');
    await expect.poll(() => enterprise.innerText(), { timeout: 15_000 }).toContain('Due now: €0.00.');
    expect(await enterprise.innerText()).toContain(
      '€129.00, is added to your next invoice on 1 Dec 2026 (€753.00 in total)',
    );
    expect(switched).toBe(false);
    await snap(page, 'seen-switch-confirm-amounts');
    await page.getByRole('button', { name: 'Confirm switch to Enterprise' }).click();
    await page.waitForURL('**/dashboard');
    const notice = page.getByRole('status').filter({ hasText: 'Plan changed' });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('You are now on Enterprise.');
    await snap(page, 'seen-switch-success');
  });

  it('a downgrade waits for the period end: "switches to Starter on …" on the dashboard and pricing, and Keep cancels it', async () => {
    const base = summary();
    const effective = base.subscription.current_period_end;
    let pending = true;
    const kept: unknown[] = [];
    const withPending = () => ({
      body: {
        ...base,
        subscription: {
          ...base.subscription,
          pending_change: pending ? { plan: { id: 'plan-starter', name: 'Starter' }, effective_at: effective } : null,
        },
      },
    });
    const page = await open('/dashboard', {
      'billing-summary': withPending,
      'change-plan': (_url, body) => {
        kept.push(body);
        pending = false;
        return {
          body: {
            plan_id: 'plan-growth',
            billing_period: 'monthly',
            changed: true,
            effective_at: null,
            pending_change: null,
          },
        };
      },
    });
    const line = page.getByTestId('pending-change');
    await line.waitFor();
    expect(await line.innerText()).toMatch(/Switches to Starter on \d+ \w+ \d{4}/);
    await snap(page, 'seen-dashboard-pending-downgrade');

    await page.goto(`${pages.url}/pricing`);
    const notice = page.getByRole('status').filter({ hasText: 'Your plan switches to Starter' });
    await notice.waitFor();
    expect(await page.locator('article[data-plan="Starter"]').innerText()).toMatch(
      /You switch to Starter on \d+ \w+ \d{4}/,
    );
    await snap(page, 'seen-pricing-pending-downgrade');
    await page.getByRole('button', { name: 'Keep Growth' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Your plan switches to Starter' }).count())
      .toBe(0);
    expect(kept).toEqual([{ plan_id: 'plan-growth', org_id: 'org-1' }]);
  });

  it('after a cancellation is scheduled, pricing offers resume, not plan switches', async () => {
    const base = summary();
    let resumed = false;
    const page = await open('/pricing', {
      'billing-summary': () => ({
        body: {
          ...base,
          subscription: {
            ...base.subscription,
            cancel_at_period_end: !resumed,
            cancel_at: resumed ? null : base.subscription.current_period_end,
          },
        },
      }),
      'resume-subscription': () => {
        resumed = true;
        return { body: { resumed: true } };
      },
    });
    const resume = page.getByRole('button', { name: 'Resume subscription' });
    await resume.waitFor();
    expect(await page.getByRole('button', { name: /^Switch to / }).count()).toBe(0);
    expect(await page.locator('article[data-plan="Enterprise"]').innerText()).toContain(
      'resume it above to change plans',
    );
    await snap(page, 'seen-pricing-resume');
    await resume.click();
    await expect.poll(() => page.getByRole('button', { name: /^Switch to / }).count()).toBe(2);
    expect(resumed).toBe(true);
  });

  it('the setup fee applies to a first subscription only', async () => {
    const first = await open('/pricing', {}, false);
    await expect
      .poll(() => first.locator('article[data-plan="Starter"]').innerText())
      .toContain('One-time setup fee of €249');
    await first.context().close();
    const ended = summary();
    const page = await open('/pricing', {
      'billing-summary': { body: { ...ended, subscription: { ...ended.subscription, status: 'canceled' } } },
    });
    const starter = page.locator('article[data-plan="Starter"]');
    await expect
      .poll(() => starter.innerText(), { timeout: 15_000 })
      .toContain('No setup fee: your organisation has subscribed before');
    expect(await starter.innerText()).not.toContain('€249');
    await snap(page, 'seen-pricing-returning-no-setup-fee');
  });

  it('sign-up names the plan chosen, and a new tab still knows it', async () => {
    const page = await open('/pricing', {}, false);
    await page.getByLabel('Yearly').check();
    await page.getByRole('button', { name: 'Buy Growth' }).click();
    await page.waitForURL('**/signup');
    await expect.poll(() => page.getByTestId('chosen-plan').innerText()).toBe('Growth (yearly)');
    const second = await page.context().newPage();
    await second.goto(`${pages.url}/signup`);
    await expect.poll(() => second.getByTestId('chosen-plan').innerText()).toBe('Growth (yearly)');
    await snap(second, 'seen-signup-chosen-plan-new-tab');
  });

  it('the dashboard of a user without an organisation logs no 404 and asks for a name', async () => {
    const failures: string[] = [];
    const page = await open(
      '/dashboard',
      {
        'billing-summary': (url) =>
          url.searchParams.get('if_none') === 'empty'
            ? {
                body: {
                  organisation: null,
                  organisations: [],
                  subscription: null,
                  usage: null,
                  usage_earlier_in_period: [],
                  invoices: [],
                },
              }
            : { status: 404, body: { error: 'organisation_not_found', message: 'No organisation.' } },
      },
      true,
      (p) => {
        p.on('console', (m) => {
          if (m.type() === 'error') failures.push(m.text());
        });
        p.on('response', (r) => {
          if (r.status() === 404) failures.push(r.url());
        });
      },
    );
    await page.waitForURL('**/onboarding');
    await page.getByLabel('Organisation name').waitFor();
    expect(failures).toEqual([]);
  });
});
