/**
 * The customer's story in Chromium against the whole local stack (functions, local Auth, Stripe emulator with its
 * hosted Checkout page, webhooks): open /pricing, look at yearly prices, sign up, name the organisation, buy
 * Starter monthly, have a card declined, pay with 4242, wait on the dashboard until the webhook activated the plan,
 * see usage reported by the voice agent after a reload, cancel on Stripe's customer portal; and a second person
 * who cancels at Checkout.
 * Screenshots of every step: test-artifacts/web/journey-*.png.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { describeWithBrowser, hasHorizontalScroll, snap } from './support/browser.ts';
import { ensurePagesBuilt } from './support/build-pages.ts';
import { CARD_DECLINED, CARD_VISA, payWithCard } from './support/checkout-page.ts';

let stack: TestStack;

beforeAll(async () => {
  ensurePagesBuilt();
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

describeWithBrowser('a customer buys a plan and watches their usage', (browser) => {
  let context: BrowserContext;
  let page: Page;
  const email = `owner.${Date.now()}@example.com`;
  const password = 'a long enough password';

  beforeAll(async () => {
    context = await browser().newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-IE' });
    page = await context.newPage();
  });
  afterAll(async () => context?.close());

  const main = () => page.locator('main').innerText();

  it('opens the pricing page and compares monthly and yearly prices', async () => {
    await page.goto(`${stack.url}/pricing`);
    const starter = page.locator('article[data-plan="Starter"]');
    await starter.waitFor();
    expect(await page.locator('article.plan-card').count()).toBe(3);
    expect(await starter.innerText()).toMatch(/€204\s*\/ month/);
    await snap(page, 'journey-01-pricing');
    await page.getByLabel('Yearly').check();
    await expect.poll(() => starter.innerText()).toContain('€2,203.20');
    expect(await starter.innerText()).toContain('you save €244.80 (10 %)');
    await snap(page, 'journey-02-pricing-yearly');
    await page.getByLabel('Monthly').check();
  });

  it('chooses Starter, signs up and names the organisation', async () => {
    await page.getByRole('button', { name: 'Buy Starter' }).click();
    await page.waitForURL('**/signup');
    expect(await main()).toContain('we will take you straight to checkout');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill(password);
    await snap(page, 'journey-03-signup');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/onboarding');
    await page.getByLabel('Organisation name').fill('Acme Dental Clinics');
    await snap(page, 'journey-04-onboarding');
    await page.getByRole('button', { name: 'Continue to checkout' }).click();
    await page.waitForURL((url) => !url.href.startsWith(stack.url));
    await page.getByLabel(/card number/i).waitFor();
    await snap(page, 'journey-05-checkout');
  });

  it('has a declined card refused on the checkout page, staying there', async () => {
    const checkoutUrl = page.url();
    await payWithCard(page, CARD_DECLINED);
    await page
      .getByText(/declined/i)
      .first()
      .waitFor();
    expect(page.url().split('?')[0]).toBe(checkoutUrl.split('?')[0]);
    await snap(page, 'journey-06-checkout-declined');
  });

  it('pays with 4242 and waits on the dashboard until Starter is active with 0 of 500 minutes', async () => {
    await payWithCard(page, CARD_VISA);
    await page.waitForURL(`${stack.url}/dashboard?payment=success**`);
    await snap(page, 'journey-07-dashboard-confirming');
    await page.getByText('Payment confirmed').waitFor({ timeout: 30_000 });
    const text = await main();
    expect(text).toContain('Acme Dental Clinics'.toUpperCase());
    expect(text).toMatch(/Starter\s*· Monthly/);
    expect(await page.locator('[data-status="active"]').innerText()).toContain('Active');
    expect(text).toMatch(/0\s*of 500 minutes used/);
    const bar = page.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('0');
    expect(await bar.getAttribute('aria-valuemax')).toBe('500');
    await snap(page, 'journey-08-dashboard-active');
  });

  it('shows minutes reported by the voice agent after a reload', async () => {
    // The customer copies the id their voice agents report with from the foot of the dashboard.
    const orgId = (await page.locator('.org-id code').textContent())?.trim();
    expect(orgId).toMatch(/^[0-9a-f-]{36}$/);
    const reported = await stack.call('report-usage', {
      token: stack.serviceRoleKey,
      body: { org_id: orgId, call_id: `call-${Date.now()}`, call_duration_seconds: 754 },
    });
    expect(reported.status).toBe(200);
    expect(reported.json.billed_minutes).toBe(13);
    await page.goto(`${stack.url}/dashboard`);
    await page.getByRole('progressbar').waitFor();
    expect(await main()).toMatch(/13\s*of 500 minutes used/);
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('13');
    // Minutes into the window a pace means nothing, so no projection yet.
    expect(await main()).toMatch(/Projected by the end of the window\s*Shown after the first day/);
    await snap(page, 'journey-09-dashboard-usage');
  });

  it('keeps the session across reloads, signs out, and signs back in to the dashboard', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/pricing');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('That email and password do not match an account.');
    await snap(page, 'journey-10-signin-wrong-password');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('progressbar').waitFor();
    expect(await main()).toMatch(/13\s*of 500 minutes used/);
  });

  it('reads well on a 390 px phone without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('progressbar').waitFor();
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'journey-11-dashboard-phone');
    await page.goto(`${stack.url}/pricing`);
    await page.locator('article.plan-card').first().waitFor();
    // The cards come first; the current-plan mark follows once the session and summary are loaded.
    await expect.poll(() => page.locator('article[data-plan="Starter"]').innerText()).toContain('Your current plan');
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'journey-12-pricing-current-plan-phone');
  });

  it("manages billing on Stripe's portal: cancels there and comes back to a dashboard saying when the plan ends", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stack.url}/dashboard`);
    await page.getByRole('button', { name: 'Manage billing' }).click();
    await page.waitForURL((url) => !url.href.startsWith(stack.url));
    expect(await page.locator('body').innerText()).toContain('Starter');
    await snap(page, 'journey-13-billing-portal');
    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.getByRole('button', { name: 'Yes, cancel subscription' }).click(); // the portal asks first
    await page.getByText(/Cancels on/).waitFor();
    await page.getByRole('link', { name: /Return/ }).click();
    await page.waitForURL(`${stack.url}/dashboard`);
    // The cancellation reaches us by webhook, which may land just after the browser does.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('progressbar').waitFor();
          return main();
        },
        { timeout: 15_000 },
      )
      .toMatch(/Ends on/);
    await snap(page, 'journey-14-dashboard-cancelling');
  });
});

describeWithBrowser('a customer changes their mind at checkout', (browser) => {
  it('follows the cancel link back to a calm notice on the pricing page', async () => {
    const context = await browser().newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-IE' });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.url}/pricing`);
      await page.getByLabel('Yearly').check();
      await page.getByRole('button', { name: 'Buy Growth' }).click();
      await page.waitForURL('**/signup');
      await page.getByLabel('Work email').fill(`hesitant.${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('another long password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByLabel('Organisation name').fill('Hesitant Ltd');
      await page.getByRole('button', { name: 'Continue to checkout' }).click();
      await page.waitForURL((url) => !url.href.startsWith(stack.url));
      await page
        .getByRole('link', { name: /back|cancel/i })
        .first()
        .click();
      await page.waitForURL(`${stack.url}/pricing?payment=cancelled`);
      expect(await page.getByLabel('Yearly').isChecked()).toBe(true);
      const notice = page.getByRole('status').filter({ hasText: 'Checkout cancelled' });
      await notice.waitFor();
      expect(await notice.innerText()).toContain('You have not been charged');
      await snap(page, 'journey-15-pricing-cancelled');
    } finally {
      await context.close();
    }
  });
});
