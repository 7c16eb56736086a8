/** Customer portal configurations through the official SDK (docs.stripe.com/api/customer_portal/configurations). */
import { describe, expect, it } from 'vitest';
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
      object: 'billing_portal.configuration', active: true, is_default: false, livemode: false,
      default_return_url: 'https://app.example.com/dashboard', metadata: { aisyst_portal: 'dashboard' },
    });
    expect(created.id).toMatch(/^bpc_/);
    expect(created.features.payment_method_update.enabled).toBe(true);
    expect(created.features.invoice_history.enabled).toBe(true);
    expect(created.features.subscription_cancel).toMatchObject({ enabled: true, mode: 'at_period_end' });
    expect(created.features.customer_update.enabled).toBe(false); // not asked for: off

    expect(await h.stripe.billingPortal.configurations.retrieve(created.id)).toEqual(created);
    expect((await h.stripe.billingPortal.configurations.list({ active: true })).data.map((c) => c.id)).toContain(created.id);
    expect((await h.stripe.billingPortal.configurations.list({ is_default: true })).data).toEqual([]);

    const updated = await h.stripe.billingPortal.configurations.update(created.id, { features: { invoice_history: { enabled: false } }, default_return_url: 'https://app.example.com/billing' });
    expect(updated.features.invoice_history.enabled).toBe(false);
    expect(updated.features.payment_method_update.enabled).toBe(true); // untouched
    expect(updated.default_return_url).toBe('https://app.example.com/billing');
    const deactivated = await h.stripe.billingPortal.configurations.update(created.id, { active: false });
    expect(deactivated.active).toBe(false);
    expect((await h.stripe.billingPortal.configurations.list({ active: true })).data.map((c) => c.id)).not.toContain(created.id);
  });

  it('answers Stripe\'s errors: no features, an unknown cancel mode, an unknown id', async () => {
    await expect(h.stripe.billingPortal.configurations.create({} as never)).rejects.toMatchObject({ statusCode: 400, param: 'features' });
    await expect(h.stripe.billingPortal.configurations.create({ features: { subscription_cancel: { enabled: true, mode: 'later' as never } } }))
      .rejects.toMatchObject({ statusCode: 400, param: 'features[subscription_cancel][mode]' });
    await expect(h.stripe.billingPortal.configurations.retrieve('bpc_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
