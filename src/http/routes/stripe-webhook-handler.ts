/**
 * POST stripe-webhook-handler: Stripe's signed events (docs/http-api.md#stripe-webhook-handler). Verify the raw bytes,
 * then hand the event to applyStripeEvent. Errors propagate to the app's one error mapping: a database or Stripe
 * failure is a 5xx, so Stripe retries the delivery (docs.stripe.com/webhooks#retries); a bad signature or a malformed
 * event is a 4xx, an event Stripe cannot back (not ours) a 2xx with `ignored: true`
 * (usecases/stripe-events/not-ours.ts).
 */
import { AppError } from '../../errors.ts';
import type Stripe from 'stripe';
import { applyStripeEvent } from '../../usecases/apply-stripe-event.ts';
import { assertStripeEventShape } from '../../usecases/stripe-events/event-shape.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';

export const route: Route = {
  name: 'stripe-webhook-handler',
  method: 'POST',
  auth: 'stripe-signature',
  async handle({ request, rawBody }, ctx) {
    const secret = ctx.config.stripe.webhookSecret;
    if (!secret) throw new Error('STRIPE_WEBHOOK_SECRET is not configured');
    const header = request.headers.get('stripe-signature');
    if (!header) {
      throw new AppError(
        'invalid_signature',
        'Missing the Stripe-Signature header: this endpoint only accepts events signed by Stripe.',
      );
    }
    let event: Stripe.Event;
    try {
      // constructEventAsync: the synchronous variant throws on Deno/Supabase (SubtleCrypto is async only).
      event = await ctx.stripe.webhooks.constructEventAsync(rawBody, header, secret);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : 'unreadable signature';
      throw new AppError('invalid_signature', `The Stripe signature does not match this endpoint's secret: ${reason}`);
    }
    assertStripeEventShape(event); // signed but malformed: 400 invalid_request, nothing recorded
    const result = await applyStripeEvent(ctx, event);
    return jsonResponse({ received: true, ...(result === 'ignored' ? { ignored: true } : {}) });
  },
};
