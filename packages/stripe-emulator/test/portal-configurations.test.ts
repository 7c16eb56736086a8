/** Customer portal configurations through the official SDK (docs.stripe.com/api/customer_portal/configurations). */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadChecker } from './conformance/checker.ts';
import { useHarness } from './harness.ts';

describe('emulator: billing portal configurations', () => {
  const h = useHarness();

  it('creates one with the features the dashboard needs, never as the default, and retrieves, lists and updates it', async () => {
    const created = await h.stripe.billingPortal.configurations.create({
      features: {
        payment_method_update: { enabled: true },
        invoice_history: { enabled: true },
        subscription_cancel: { enabled: true, mode: 'at_period_end' },
      },
      default_return_url: 'https://app.example.com/dashboard',
      metadata: { aisyst_portal: 'dashboard' },
    });
    expect(created).toMatchObject({
      object: 'billing_portal.configuration',
      active: true,
      is_default: false,
      livemode: false,
      default_return_url: 'https://app.example.com/dashboard',
      metadata: { aisyst_portal: 'dashboard' },
    });
    expect(created.id).toMatch(/^bpc_/);
    expect(created.features.payment_method_update.enabled).toBe(true);
    expect(created.features.invoice_history.enabled).toBe(true);
    expect(created.features.subscription_cancel).toMatchObject({ enabled: true, mode: 'at_period_end' });
    expect(created.features.customer_update.enabled).toBe(false); // not asked for: off

    expect(await h.stripe.billingPortal.configurations.retrieve(created.id)).toEqual(created);
    expect((await h.stripe.billingPortal.configurations.list({ active: true })).data.map((c) => c.id)).toContain(
      created.id,
    );
    expect((await h.stripe.billingPortal.configurations.list({ is_default: true })).data).toEqual([]);

    const updated = await h.stripe.billingPortal.configurations.update(created.id, {
      features: { invoice_history: { enabled: false } },
      default_return_url: 'https://app.example.com/billing',
    });
    expect(updated.features.invoice_history.enabled).toBe(false);
    expect(updated.features.payment_method_update.enabled).toBe(true); // untouched
    expect(updated.default_return_url).toBe('https://app.example.com/billing');
    const deactivated = await h.stripe.billingPortal.configurations.update(created.id, { active: false });
    expect(deactivated.active).toBe(false);
    expect((await h.stripe.billingPortal.configurations.list({ active: true })).data.map((c) => c.id)).not.toContain(
      created.id,
    );
  });

  it('answers configurations shaped exactly as the SDK declares Stripe.BillingPortal.Configuration (and updated webhook endpoints)', async () => {
    const checker = loadChecker(fileURLToPath(new URL('./portal-configuration-kinds.ts', import.meta.url)));
    const created = await h.stripe.billingPortal.configurations.create({
      features: { invoice_history: { enabled: true } },
      business_profile: { headline: 'AiSyst' },
    });
    const raw = JSON.parse(JSON.stringify(await h.stripe.billingPortal.configurations.retrieve(created.id))) as Record<
      string,
      unknown
    >;
    delete raw.lastResponse;
    expect(checker.check(raw)).toEqual([]);
    // The endpoint doctor updates, as the SDK declares it.
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['invoice.paid'],
    });
    const updated = JSON.parse(
      JSON.stringify(
        await h.stripe.webhookEndpoints.update(endpoint.id, {
          enabled_events: ['invoice.paid', 'invoice.payment_failed'],
        }),
      ),
    ) as Record<string, unknown>;
    delete updated.lastResponse;
    expect(checker.check(updated)).toEqual([]);
  }, 60_000);

  it("answers Stripe's errors: no features, an unknown cancel mode, an unknown id", async () => {
    await expect(h.stripe.billingPortal.configurations.create({} as never)).rejects.toMatchObject({
      statusCode: 400,
      param: 'features',
    });
    await expect(
      h.stripe.billingPortal.configurations.create({
        features: { subscription_cancel: { enabled: true, mode: 'later' as never } },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'features[subscription_cancel][mode]' });
    await expect(h.stripe.billingPortal.configurations.retrieve('bpc_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});
