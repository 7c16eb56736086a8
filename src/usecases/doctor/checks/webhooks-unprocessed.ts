/**
 * `webhooks.unprocessed`: Stripe events of the types we apply that our database has not processed — recorded but
 * failed half way, or never received (no endpoint, a wrong secret, an outage longer than Stripe's 3 days of
 * retries). Looked for since 3 days before the newest event we processed (deliveries arrive out of order), at
 * most Stripe's 30 days of events (docs.stripe.com/api/events/list). Events younger than GRACE_SECONDS may
 * still be on their way and are not counted. The fix is `stripe-events replay` for exactly those events.
 */
import type Stripe from 'stripe';
import { newestProcessedStripeEventSeconds } from '../../../repositories/doctor-probes.ts';
import { stripeEventStatus } from '../../../repositories/stripe-event-status.ts';
import { applyStripeEvent } from '../../apply-stripe-event.ts';
import { STRIPE_EVENT_RETENTION_DAYS } from '../../replay-stripe-events.ts';
import { handledEventTypes } from '../webhook-events.ts';
import { result, type Check, type DoctorContext } from '../types.ts';

const DAY = 86_400;
export const GRACE_SECONDS = 60;

async function unprocessedEvents(ctx: DoctorContext): Promise<{ since: number; events: Stripe.Event[] }> {
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  const processed = await newestProcessedStripeEventSeconds(ctx.sql);
  const newest = processed === undefined ? undefined : Math.min(processed, now);
  const since = Math.max(now - STRIPE_EVENT_RETENTION_DAYS * DAY, newest === undefined ? 0 : newest - 3 * DAY);
  const events: Stripe.Event[] = [];
  for await (const event of ctx.stripe.events.list({
    types: handledEventTypes(),
    created: { gte: since },
    limit: 100,
  })) {
    if (event.created > now - GRACE_SECONDS && event.pending_webhooks > 0) continue; // still being delivered
    if ((await stripeEventStatus(ctx.sql, event.id)) !== 'processed') events.push(event);
  }
  return { since, events: events.sort((a, b) => a.created - b.created) };
}

export const webhooksUnprocessedCheck: Check = {
  id: 'webhooks.unprocessed',
  async run(ctx) {
    const { since, events } = await unprocessedEvents(ctx);
    if (events.length === 0)
      return result(
        'ok',
        `every event we apply since ${new Date(since * 1000).toISOString().slice(0, 10)} is processed`,
      );
    const oldest = new Date(events[0]!.created * 1000).toISOString().slice(0, 10);
    const sample = events
      .slice(0, 3)
      .map((e) => `${e.id} ${e.type}`)
      .join(', ');
    return result(
      'problem',
      `${events.length} Stripe event(s) not applied (${sample}${events.length > 3 ? ', …' : ''})`,
      `npx aisyst-billing stripe-events replay --since ${oldest} (or doctor --fix)`,
    );
  },
  async fix(ctx) {
    for (const event of (await unprocessedEvents(ctx)).events) await applyStripeEvent(ctx, event);
  },
};
