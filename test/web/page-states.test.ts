/**
 * Every state of the pricing page and the dashboard, rendered in Chromium against a mocked API: what a customer
 * sees when things go right, wrong or are still empty. Screenshots go to test-artifacts/web/states-*.png.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithBrowser, hasHorizontalScroll, snap } from './support/browser.ts';
import { PLANS, mockFunctions, signInAs, summary, type ApiAnswer } from './support/mock-api.ts';
import { servedPages } from './support/served-pages.ts';

const pages = servedPages();

describeWithBrowser('pricing and dashboard states', (browser) => {
  async function open(
    path: string,
    answers: Record<
      string,
      ApiAnswer | ((url: URL, body: Record<string, unknown> | undefined) => ApiAnswer | Promise<ApiAnswer>)
    >,
    options: { signedIn?: boolean; width?: number } = {},
  ): Promise<Page> {
    const context = await pages.newContext(browser(), { viewport: { width: options.width ?? 1280, height: 900 } });
    await mockFunctions(context, { plans: { body: { plans: PLANS } }, ...answers });
    if (options.signedIn) await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}${path}`);
    return page;
  }

  it('shows the three plans with included minutes, the overage rate and the setup fee, monthly and yearly', async () => {
    const page = await open('/pricing', {});
    const cards = page.locator('article.plan-card');
    await expect.poll(() => cards.count()).toBe(3);
    const starter = page.locator('article[data-plan="Starter"]');
    expect(await starter.innerText()).toMatch(/€204\s*\/ month/);
    expect(await starter.innerText()).toContain('500 minutes');
    expect(await starter.innerText()).toContain('€0.50 per extra minute');
    expect(await starter.innerText()).toContain('€249');
    await page.getByLabel('Yearly').check();
    await expect.poll(() => starter.innerText()).toMatch(/€2,203\.20\s*\/ year/);
    expect(await starter.innerText()).toContain('€183.60 per month, billed yearly');
    expect(await starter.innerText()).toContain('you save €244.80 (10 %)');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'states-pricing-yearly-desktop');
  });

  it('fits a 390 px phone without horizontal scrolling', async () => {
    const page = await open('/pricing?payment=cancelled', {}, { width: 390 });
    await page.locator('article.plan-card').first().waitFor();
    expect(await page.getByRole('status').innerText()).toContain('You have not been charged');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'states-pricing-cancelled-phone');
  });

  it('marks the current plan and offers the others as a switch to confirm, never a Buy Checkout would refuse', async () => {
    const base = summary();
    let switched = false;
    const page = await open(
      '/pricing',
      {
        'billing-summary': () => ({
          body: switched
            ? { ...base, subscription: { ...base.subscription, plan: { id: 'plan-starter', name: 'Starter' } } }
            : base,
        }),
        'change-plan': (_url, body) => {
          if (body?.preview)
            return {
              body: {
                plan_id: 'plan-starter',
                preview: true,
                effective_at: null,
                due_now_cents: 0,
                currency: 'eur',
                next_invoice: {
                  total_cents: 28_500,
                  date: base.subscription.current_period_end,
                  proration_cents: -8_100,
                },
              },
            };
          switched = true;
          return {
            body: {
              plan_id: 'plan-starter',
              billing_period: 'monthly',
              changed: true,
              effective_at: null,
              pending_change: null,
            },
          };
        },
      },
      { signedIn: true },
    );
    const growth = page.locator('article[data-plan="Growth"]');
    await expect.poll(() => growth.innerText(), { timeout: 15_000 }).toContain('Your current plan');
    expect(await growth.innerText()).toContain('You are on this plan.');
    expect(await page.getByRole('button', { name: /^Buy / }).count()).toBe(0);
    await snap(page, 'states-pricing-current-plan');

    await page.getByLabel('Yearly').check(); // the subscription is monthly: no switch across periods online
    expect(await page.locator('article[data-plan="Starter"]').innerText()).toContain(
      'switching between monthly and yearly billing is not available online',
    );
    await page.getByLabel('Monthly').check();

    await page.getByRole('button', { name: 'Switch to Starter' }).click();
    await expect
      .poll(() => page.locator('article[data-plan="Starter"]').innerText())
      .toContain('Switch to Starter now?');
    expect(switched).toBe(false); // the first click only asks
    await snap(page, 'states-pricing-switch-confirm');
    await page.getByRole('button', { name: 'Confirm switch to Starter' }).click();
    await page.waitForURL('**/dashboard');
    await expect.poll(() => page.locator('#plan-heading').innerText()).toContain('Starter');
    expect(await page.getByRole('status').filter({ hasText: 'Plan changed' }).innerText()).toContain(
      'You are now on Starter.',
    );
  });

  it('says why a switch was refused', async () => {
    const base = summary();
    const page = await open(
      '/pricing',
      {
        'billing-summary': { body: base },
        'change-plan': {
          status: 409,
          body: { error: 'subscription_not_active', message: 'The subscription is past_due.' },
        },
      },
      { signedIn: true },
    );
    await page.getByRole('button', { name: 'Switch to Enterprise' }).click();
    await page.getByRole('button', { name: 'Confirm switch to Enterprise' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('We could not change your plan');
    expect(await alert.innerText()).toContain('please pay the open invoice on your dashboard before changing plans');
    expect(page.url()).toContain('/pricing');
  });

  it('explains an API refusal in a sentence', async () => {
    const canceled = summary();
    const page = await open(
      '/pricing',
      {
        'billing-summary': { body: { ...canceled, subscription: { ...canceled.subscription, status: 'canceled' } } },
        'create-checkout-session': {
          status: 409,
          body: { error: 'already_subscribed', message: 'The organisation already has a subscription.' },
        },
      },
      { signedIn: true },
    );
    await page.getByRole('button', { name: 'Buy Starter' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Your organisation already has an active subscription.');
    await snap(page, 'states-pricing-api-error');
  });

  it('shows usage beyond the included minutes with its cost and the month projection', async () => {
    const base = summary();
    const usage = { ...base.usage, minutes_used: 1_240, overage_minutes: 240, overage_cost_cents: 12_000 };
    const page = await open('/dashboard', { 'billing-summary': { body: { ...base, usage } } }, { signedIn: true });
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuemax')).toBe('1000');
    expect(await bar.getAttribute('aria-valuetext')).toBe('1,240 of 1,000 included minutes used, 240 extra');
    const text = await page.locator('main').innerText();
    expect(text).toContain('240 · €120.00');
    expect(text).toMatch(/Projected by the end of the window\s*3,720 min · €1,360.00 extra/);
    expect(text).toContain('AISYST-0001');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'states-dashboard-overage');
  });

  it('after an upgrade mid-window, shows the overage from before the change that is still to be billed', async () => {
    const base = summary();
    const changedAt = new Date(Date.parse(base.usage.period_start) + 5 * 86_400_000).toISOString();
    const earlier = [
      { ...base.usage, period_end: base.usage.period_start, minutes_used: 0, included_minutes: 200, invoiced: false }, // no calls: not shown
      {
        ...base.usage,
        period_end: changedAt,
        minutes_used: 800,
        included_minutes: 500,
        overage_minutes: 300,
        overage_cost_cents: 15_000,
        invoiced: false,
      },
    ];
    const page = await open(
      '/dashboard',
      {
        'billing-summary': {
          body: { ...base, usage: { ...base.usage, period_start: changedAt }, usage_earlier_in_period: earlier },
        },
      },
      { signedIn: true, width: 390 },
    );
    const part = page.locator('.earlier-usage');
    await part.waitFor();
    expect(await part.innerText()).toContain('Earlier this month, before your plan change');
    expect(await part.innerText()).toMatch(
      /800 of 500 included minutes · 300 extra · €150\.00 — billed at the end of the month/,
    );
    expect(await part.locator('li').count()).toBe(1);
    expect(await page.locator('#usage-text').innerText()).toBe('412 of 1,000 minutes used');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'states-dashboard-after-upgrade-phone');
  });

  it('asks an owner of several organisations which one, remembers it, and switches between them', async () => {
    const organisations = [
      { id: 'org-1', name: 'Acme Dental Clinics' },
      { id: 'org-2', name: 'Beta Labs' },
    ];
    const summaries: Record<string, ReturnType<typeof summary>> = {
      'org-1': { ...summary(), organisations },
      'org-2': {
        ...summary({ subscription: null, usage: null, invoices: [] }),
        organisation: organisations[1]!,
        organisations,
      },
    };
    const page = await open(
      '/dashboard',
      {
        'billing-summary': (url) => {
          const chosen = url.searchParams.get('org_id');
          return chosen
            ? { body: summaries[chosen]! }
            : {
                status: 400,
                body: {
                  error: 'org_id_required',
                  message: 'You own several organisations.',
                  field: 'org_id',
                  organisations,
                },
              };
        },
      },
      { signedIn: true },
    );
    await page.getByRole('heading', { name: 'Which organisation?' }).waitFor();
    await snap(page, 'states-dashboard-choose-organisation');
    await page.getByRole('button', { name: 'Beta Labs' }).click();
    await page.getByRole('heading', { name: 'You have no plan yet' }).waitFor();
    expect(await page.locator('.eyebrow').innerText()).toMatch(/Beta Labs/i);

    await page.reload(); // remembered in this browser: no question again
    await page.getByRole('heading', { name: 'You have no plan yet' }).waitFor();
    await page.getByLabel('Organisation').selectOption('org-1');
    await page.getByRole('progressbar').waitFor();
    expect(await page.locator('.eyebrow').innerText()).toMatch(/Acme Dental Clinics/i);
    expect(await hasHorizontalScroll(page)).toBe(false);
  });

  it('says plainly when a payment failed and links to the open invoice', async () => {
    const base = summary({
      invoices: [
        {
          id: 'in_2',
          number: 'AISYST-0002',
          status: 'open',
          total_cents: 36_600,
          currency: 'eur',
          period_start: new Date().toISOString(),
          period_end: new Date().toISOString(),
          hosted_invoice_url: 'https://invoice.example/in_2',
        },
      ],
    });
    const page = await open(
      '/dashboard',
      { 'billing-summary': { body: { ...base, subscription: { ...base.subscription, status: 'past_due' } } } },
      { signedIn: true, width: 390 },
    );
    // The Calls section (its endpoint not mocked here) may add an alert of its own: find the payment banner by its text.
    const alert = page.getByRole('alert').filter({ hasText: 'Your last payment failed' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('update your card under Manage billing');
    await page.getByRole('button', { name: 'Manage billing' }).waitFor(); // where the banner sends them
    expect(await page.getByRole('link', { name: 'Pay invoice AISYST-0002 now' }).getAttribute('href')).toBe(
      'https://invoice.example/in_2',
    );
    expect(await page.locator('[data-status="past_due"]').innerText()).toContain('Payment failed');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'states-dashboard-past-due-phone');
  });

  it('arriving from Checkout, waits visibly until the webhook has activated the plan', async () => {
    let calls = 0;
    const pending = summary({ subscription: null, usage: null, invoices: [] });
    const page = await open(
      '/dashboard?payment=success&session_id=cs_test_1',
      { 'billing-summary': () => ({ body: ++calls < 3 ? pending : summary() }) },
      { signedIn: true },
    );
    const waiting = page.getByRole('status').filter({ hasText: 'Confirming your payment' });
    await waiting.waitFor();
    await snap(page, 'states-dashboard-confirming');
    await page.getByText('Payment confirmed').waitFor();
    expect(await page.locator('main').innerText()).toContain('Your Growth plan is active');
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('shows a scheduled cancellation as an end date', async () => {
    const base = summary();
    const cancelAt = base.subscription.current_period_end;
    const page = await open(
      '/dashboard',
      {
        'billing-summary': {
          body: { ...base, subscription: { ...base.subscription, cancel_at_period_end: true, cancel_at: cancelAt } },
        },
      },
      { signedIn: true },
    );
    await page.getByRole('progressbar').waitFor();
    expect(await page.locator('main').innerText()).toMatch(/Your subscription ends on \d+ \w+ \d{4}/);
    await snap(page, 'states-dashboard-cancel-at');
  });

  it('designs the loading states: plan card and dashboard skeletons, announced as busy', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = async (): Promise<ApiAnswer> => {
      await held;
      return { body: summary() };
    };
    const page = await open('/dashboard', { 'billing-summary': slow }, { signedIn: true });
    await page.getByText('Loading your plan and usage…').waitFor();
    expect(await page.locator('main section[aria-busy="true"]').count()).toBe(1);
    await snap(page, 'states-dashboard-loading');
    release();
    await page.getByRole('progressbar').waitFor();
  });

  it('designs the empty dashboard: no plan yet, no invoices', async () => {
    const page = await open(
      '/dashboard',
      { 'billing-summary': { body: summary({ subscription: null, usage: null, invoices: [] }) } },
      { signedIn: true },
    );
    await page.getByRole('heading', { name: 'You have no plan yet' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('No invoices yet');
    await snap(page, 'states-dashboard-empty');
  });

  it('sends a signed-in person without an organisation to name it first', async () => {
    const page = await open(
      '/dashboard',
      { 'billing-summary': { status: 404, body: { error: 'organisation_not_found', message: 'No organisation.' } } },
      { signedIn: true },
    );
    await page.waitForURL('**/onboarding');
    await page.getByLabel('Organisation name').waitFor();
    await snap(page, 'states-onboarding');
  });

  it('can be used by keyboard: the yearly option and the Buy buttons are reachable with Tab', async () => {
    const page = await open('/pricing', {});
    await page.locator('article.plan-card').first().waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate(
          () =>
            (document.activeElement as HTMLElement | null)?.innerText ||
            (document.activeElement as HTMLInputElement | null)?.value ||
            '',
        ),
      );
    }
    expect(focused).toContain('Skip to content');
    expect(focused).toContain('Buy Starter');
    await page.keyboard.press('Shift+Tab');
    await snap(page, 'states-pricing-keyboard-focus');
  });
});
