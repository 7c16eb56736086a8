/**
 * Points the Stripe account (the emulator) at our webhook handler: finds an endpoint with our URL or creates
 * one listening to every event, on the SDK's pinned API version so that event payloads match the SDK's types
 * (https://docs.stripe.com/webhooks#api-versions). Endpoints an earlier local stack registered for another URL
 * (another port) are deleted, so that a restarted stack's events are not also retried against a dead address.
 */
import Stripe from 'stripe';

export const LOCAL_ENDPOINT_DESCRIPTION = 'aisyst-billing local stack';

export interface RegisteredEndpoint {
  id: string;
  created: boolean;
  /** The signing secret Stripe returns only on creation. */
  secret: string | undefined;
  removed: string[];
}

/**
 * `knowSecret: false` (no STRIPE_WEBHOOK_SECRET and no emulator-wide one): an existing endpoint is useless since
 * Stripe never shows its secret again, so ours is recreated to learn a fresh one.
 */
export async function ensureWebhookEndpoint(
  stripe: Stripe,
  url: string,
  options: { knowSecret: boolean },
): Promise<RegisteredEndpoint> {
  const endpoints = await stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
  const ours = (e: Stripe.WebhookEndpoint) => e.description === LOCAL_ENDPOINT_DESCRIPTION;
  const stale = endpoints.filter((e) => ours(e) && (e.url !== url || !options.knowSecret));
  for (const endpoint of stale) await stripe.webhookEndpoints.del(endpoint.id);
  const removed = stale.map((e) => e.id);
  const found = endpoints.find((e) => e.url === url && e.status === 'enabled' && !removed.includes(e.id));
  if (found) return { id: found.id, created: false, secret: undefined, removed };
  const created = await stripe.webhookEndpoints.create({
    url,
    enabled_events: ['*'],
    api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
    description: LOCAL_ENDPOINT_DESCRIPTION,
  });
  return { id: created.id, created: true, secret: created.secret, removed };
}
