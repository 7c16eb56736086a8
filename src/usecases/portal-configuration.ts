/**
 * The customer portal configuration AiSyst relies on: the dashboard's "Manage billing" lets an owner update the
 * card, read invoices and cancel at the period end, then return to the dashboard. A configuration made through
 * the API is never the account's default (only the Dashboard's saved settings are:
 * docs.stripe.com/api/customer_portal/configuration#portal_configuration_object-is_default), so ours is marked by
 * metadata and open-billing-portal passes it by id (docs.stripe.com/api/customer_portal/sessions/create
 * `configuration`); without one, sessions use the default, which Stripe refuses to use until it is saved.
 */
import type Stripe from 'stripe';

export const PORTAL_METADATA_KEY = 'aisyst_portal';

/** Ours (active, marked) first; else the account's active default; else none. */
export async function findPortalConfiguration(stripe: Stripe): Promise<Stripe.BillingPortal.Configuration | undefined> {
  const configs = await stripe.billingPortal.configurations
    .list({ active: true, limit: 100 })
    .autoPagingToArray({ limit: 1_000 });
  return configs.find((c) => c.metadata?.[PORTAL_METADATA_KEY]) ?? configs.find((c) => c.is_default);
}

/** Our configuration's id, for a portal session (undefined: use the account's default). */
export async function ourPortalConfigurationId(stripe: Stripe): Promise<string | undefined> {
  const found = await findPortalConfiguration(stripe);
  return found?.metadata?.[PORTAL_METADATA_KEY] ? found.id : undefined;
}

/** What is missing from `config` for the dashboard ([] when nothing). */
export function portalConfigurationGaps(config: Stripe.BillingPortal.Configuration): string[] {
  const f = config.features;
  const gaps: string[] = [];
  if (!f.payment_method_update.enabled) gaps.push('payment method update off');
  if (!f.invoice_history.enabled) gaps.push('invoice history off');
  if (!f.subscription_cancel.enabled) gaps.push('cancellation off');
  else if (f.subscription_cancel.mode !== 'at_period_end')
    gaps.push(`cancels ${f.subscription_cancel.mode}, not at the period end`);
  if (!config.default_return_url) gaps.push('no default return URL');
  return gaps;
}

export function portalConfigurationParams(websiteUrl: string): Stripe.BillingPortal.ConfigurationCreateParams {
  return {
    features: {
      payment_method_update: { enabled: true },
      invoice_history: { enabled: true },
      subscription_cancel: { enabled: true, mode: 'at_period_end' },
    },
    default_return_url: `${websiteUrl}/dashboard`,
    metadata: { [PORTAL_METADATA_KEY]: 'dashboard' },
  };
}
