/**
 * The official Stripe SDK, pointed at Stripe or at a Stripe-compatible base (the emulator): one factory for
 * every entry. The API version is pinned to the SDK's own (Stripe.API_VERSION), so that the objects we read
 * match the SDK's types; retries reuse the SDK's automatic idempotency keys (stripe-node RequestSender), which
 * makes a retried POST safe (https://docs.stripe.com/api/idempotent_requests).
 */
import Stripe from 'stripe';
import type { Config } from '../../config/types.ts';

/** Where the embedded emulator listens when the local stack starts it (config.stripeEmulatorPort). */
export interface StripeClientOptions {
  /** Deno / Edge: `Stripe.createFetchHttpClient()`. Node: the SDK's default (node:http). */
  httpClient?: Stripe.StripeConfig['httpClient'];
  /** Overrides config.stripe.apiBase, e.g. the URL of an emulator the local stack just started. */
  apiBase?: URL | string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export const STRIPE_TIMEOUT_MS = 20_000;

export function createStripeClient(config: Pick<Config, 'stripe'>, options: StripeClientOptions = {}): Stripe {
  const base = options.apiBase !== undefined ? new URL(String(options.apiBase)) : config.stripe.apiBase;
  const stripeConfig: Stripe.StripeConfig = {
    apiVersion: Stripe.API_VERSION as Stripe.StripeConfig['apiVersion'],
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
    appInfo: { name: 'aisyst-billing' },
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
    ...(base ? baseAddress(base) : {}),
  };
  return new Stripe(config.stripe.secretKey, stripeConfig);
}

function baseAddress(url: URL): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}
