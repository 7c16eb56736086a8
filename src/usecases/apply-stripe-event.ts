/**
 * The webhook pipeline after the signature check (docs/design.md#webhook-pipeline): record the event id → apply
 * it (re-read the truth from Stripe, converge rows) → mark it processed. A failure anywhere throws, the route answers
 * 5xx and Stripe delivers again; an event already processed is acknowledged without work. An event that is not ours
 * (Stripe does not know its subscription, or nothing of ours matches it: stripe-events/not-ours.ts) is marked
 * processed and answered 'ignored', so neither Stripe nor `stripe-events replay` retries it.
 */
import type Stripe from 'stripe';
import type { AppContext } from './context.ts';
import { markStripeEventProcessed, recordStripeEvent } from '../repositories/stripe-events.ts';
import { EVENT_HANDLERS } from './stripe-events/handlers.ts';

export type ApplyResult = 'applied' | 'duplicate' | 'ignored';

export async function applyStripeEvent(ctx: AppContext, event: Stripe.Event): Promise<ApplyResult> {
  const { processed } = await recordStripeEvent(ctx.sql, event);
  if (processed) return 'duplicate';
  const handler = EVENT_HANDLERS[event.type];
  const outcome = handler ? await handler(ctx, event) : 'ignored';
  await markStripeEventProcessed(ctx.sql, event.id);
  return outcome;
}
