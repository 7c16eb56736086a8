/**
 * Pure: the events our webhook endpoint must receive — exactly the types the handler applies
 * (src/usecases/stripe-events/handlers.ts), no more (every other one is a wasted delivery) and no fewer.
 */
import type Stripe from 'stripe';
import { EVENT_HANDLERS } from '../stripe-events/handlers.ts';

export const WEBHOOK_PATH = '/stripe-webhook-handler';
/** Marks the endpoint doctor manages, so a fix never touches another integration's endpoint. */
export const ENDPOINT_DESCRIPTION = 'aisyst-billing (managed by aisyst-billing doctor)';

export const handledEventTypes = (): string[] => Object.keys(EVENT_HANDLERS).sort();

export function eventsDiffer(enabled: readonly string[]): { missing: string[]; extra: string[] } {
  const want = handledEventTypes();
  return { missing: want.filter((t) => !enabled.includes(t)), extra: enabled.filter((t) => !want.includes(t)) };
}

/** Does this endpoint receive any event we act on? (`*` receives all.) */
export const overlapsOurs = (endpoint: Pick<Stripe.WebhookEndpoint, 'enabled_events'>): boolean =>
  endpoint.enabled_events.some((t) => t === '*' || handledEventTypes().includes(t));
