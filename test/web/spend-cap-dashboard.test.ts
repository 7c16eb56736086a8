/**
 * Issue 11 §2–3 in Chromium against a mocked API: the dashboard shows the spend cap, how much of it this cycle used, a
 * clear banner once it is reached, and the usage e-mails sent; the owner changes and removes the cap from the form,
 * and an amount that is not one is refused on the page without a request. Screenshots: test-artifacts/web/spend-cap-*.png.
 */
import { expect, it } from 'vitest';
import type { BillingSummary } from '../../web/src/api.ts';
import { describeWithBrowser, hasHorizontalScroll, snap } from './support/browser.ts';
import { PLANS, mockFunctions, signInAs, summary } from './support/mock-api.ts';
import { servedPages } from './support/served-pages.ts';

const pages = servedPages();

/** A Starter-like cycle 27 minutes over its 500 (€13.50 at 50 cents), with three alerts sent. */
function overTheCap(cap: number | null): BillingSummary {
  const base = summary();
  const used = 1_350;
  return {
    ...base,
    usage: { ...base.usage, minutes_used: 527, included_minutes: 500, overage_minutes: 27, overage_cost_cents: used },
    ...(cap === null
      ? {}
      : {
          spend_cap: {
            monthly_overage_cap_cents: cap,
            used_cents: used,
            currency: 'eur',
            reached: used >= cap,
          },
        }),
    usage_alerts: [
      { kind: 'included_80', sent_at: base.usage.period_start },
      { kind: 'included_100', sent_at: base.usage.period_start },
      { kind: 'spend_cap_reached', sent_at: base.usage.period_start },
    ],
  };
}

describeWithBrowser('the spend cap on the dashboard', (browser) => {
  it('shows the reached cap with a banner, then lets the owner raise it and remove it', async () => {
    let cap: number | null = 1_000;
    const sent: unknown[] = [];
    const context = await pages.newContext(browser());
    await mockFunctions(context, {
      plans: { body: { plans: PLANS } },
      'billing-summary': () => ({ body: overTheCap(cap) }),
      'spend-cap': (_url, body) => {
        sent.push(body);
        cap = (body?.monthly_overage_cap_cents as number | null) ?? null;
        return { body: { org_id: 'org-1', monthly_overage_cap_cents: cap } };
      },
    });
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);

    const banner = page.getByRole('alert').filter({ hasText: 'Spend cap reached: new calls are stopped' });
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.innerText()).toContain('€13.50');
    expect(await banner.innerText()).toContain('€10.00');
    const card = page.getByRole('region', { name: 'Spend cap' });
    expect(await card.innerText()).toContain('€13.50 of your €10.00 cap on extra minutes used this cycle');
    const meter = card.getByRole('meter', { name: 'Spend cap' });
    expect(await meter.getAttribute('aria-valuetext')).toBe('€13.50 of €10.00 used');
    expect(await card.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringContaining('80 % of the included minutes used'),
      expect.stringContaining('All included minutes used'),
      expect.stringContaining('Spend cap reached'),
    ]);
    expect(await card.getByLabel(/Stop new calls after this much/).inputValue()).toBe('10.00');
    await card.scrollIntoViewIfNeeded();
    await snap(page, 'spend-cap-reached');

    // Not an amount: refused on the page, nothing sent.
    const amount = card.getByLabel(/Stop new calls after this much/);
    for (const bad of ['-5', 'ten', '1.234']) {
      await amount.fill(bad);
      await card.getByRole('button', { name: 'Change cap' }).click();
      await card.getByRole('alert').filter({ hasText: 'The cap was not saved' }).waitFor();
    }
    expect(sent).toEqual([]);

    await amount.fill('49,5');
    await card.getByRole('button', { name: 'Change cap' }).click();
    await card.getByRole('status').filter({ hasText: 'Spend cap set to €49.50.' }).waitFor();
    expect(sent).toEqual([{ org_id: 'org-1', monthly_overage_cap_cents: 4_950 }]);
    expect(await banner.count()).toBe(0);
    expect(await card.innerText()).toContain('€13.50 of your €49.50 cap');
    expect(await amount.inputValue()).toBe('49.50');
    await snap(page, 'spend-cap-raised');

    await card.getByRole('button', { name: 'Remove cap' }).click();
    await card.getByRole('status').filter({ hasText: 'Spend cap removed.' }).waitFor();
    expect(sent.at(-1)).toEqual({ org_id: 'org-1', monthly_overage_cap_cents: null });
    expect(await card.innerText()).toContain('No cap: calls are never stopped for cost.');
    expect(await card.getByRole('meter').count()).toBe(0);

    await page.setViewportSize({ width: 390, height: 900 });
    expect(await hasHorizontalScroll(page)).toBe(false);
    await snap(page, 'spend-cap-phone');
  });

  it("says why when the server refuses the cap, and keeps the owner's figures", async () => {
    const context = await pages.newContext(browser());
    await mockFunctions(context, {
      plans: { body: { plans: PLANS } },
      'billing-summary': { body: overTheCap(null) },
      'spend-cap': {
        status: 400,
        body: {
          error: 'invalid_request',
          message: 'monthly_overage_cap_cents: is too large',
          field: 'monthly_overage_cap_cents',
        },
      },
    });
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);
    const card = page.getByRole('region', { name: 'Spend cap' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.innerText()).toContain('No cap: calls are never stopped for cost.');
    expect(await page.getByRole('alert').filter({ hasText: 'Spend cap reached' }).count()).toBe(0);
    await card.getByLabel(/Stop new calls after this much/).fill('99999999999');
    await card.getByRole('button', { name: 'Set cap' }).click();
    await card.getByRole('alert').filter({ hasText: 'The cap was not saved' }).waitFor();
    await snap(page, 'spend-cap-refused');
  });
});
