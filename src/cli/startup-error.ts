/**
 * One line for an operator when a command cannot start: the variable at fault (and "(from .env)" when `.env` set
 * it), then why. Never a secret's value: Stripe's own message echoes part of the key, so it is not repeated.
 */
import { DatabaseConnectionError } from '../adapters/db/connection-errors.ts';
import { variableOrigin } from '../config/origin.ts';
import type { Config } from '../config/types.ts';

export function explainStartupError(
  error: unknown,
  config: Pick<Config, 'stripe'>,
  fromDotEnv: ReadonlySet<string>,
): string {
  const named = (variable: string) => variableOrigin(variable, fromDotEnv);
  if (error instanceof DatabaseConnectionError) return `${named('DATABASE_URL')}: ${error.reason}`;
  const stripe = error as { type?: unknown; statusCode?: unknown; code?: unknown };
  const against = config.stripe.apiBase
    ? `the Stripe API at STRIPE_API_BASE (${config.stripe.apiBase.origin})`
    : 'Stripe';
  switch (stripe?.type) {
    case 'StripeAuthenticationError':
      return (
        `${named('STRIPE_SECRET_KEY')}: ${against} rejected the key (HTTP ${String(stripe.statusCode ?? 401)}). ` +
        'Copy a current secret key from the Dashboard (Developers → API keys), in the mode it names.'
      );
    case 'StripePermissionError':
      return (
        `${named('STRIPE_SECRET_KEY')}: ${against} refused the key the access it needs (HTTP 403): a restricted key ` +
        'needs write access to Products, Prices, Billing meters, Customers, Checkout and Webhook endpoints.'
      );
    case 'StripeConnectionError':
      return config.stripe.apiBase
        ? `${named('STRIPE_API_BASE')}: nothing answered at ${config.stripe.apiBase.origin}. Is the emulator (or proxy) running?`
        : 'Stripe could not be reached (api.stripe.com): check the network, or unset STRIPE_SECRET_KEY to use the emulator.';
  }
  return error instanceof Error ? error.message : String(error);
}
