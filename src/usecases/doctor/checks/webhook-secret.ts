/**
 * `stripe.webhook_secret`: does STRIPE_WEBHOOK_SECRET belong to our endpoint?
 *
 * How we decided: Stripe never returns an existing endpoint's secret (only the create response carries it:
 * docs.stripe.com/api/webhook_endpoints/create), and real Stripe has no API that sends a signed test event to an
 * endpoint (the CLI's `stripe trigger` makes real objects). So the secret is
 * - `fixed` (or `ok` when it already equals it) right after `--fix` created the endpoint: we hold its secret and
 *   print the line that deploys it;
 * - `ok` when proven by evidence: an event created after the endpoint, of a type it receives, that every endpoint
 *   answered 2xx (Stripe counts the others in `pending_webhooks`: docs.stripe.com/api/events/object) and that our
 *   database holds as processed — the deployed handler verified its signature, so the secret it runs with
 *   belongs to the endpoint;
 * - `warning` otherwise: unproven, not wrong. A `problem` only when it is unset or there is no endpoint.
 */
import { stripeEventStatus } from '../../../repositories/stripe-event-status.ts';
import { handledEventTypes } from '../webhook-events.ts';
import { result, type Check } from '../types.ts';
import { endpointUrl, listEndpoints } from './webhook-endpoint.ts';

export const webhookSecretCheck: Check = {
  id: 'stripe.webhook_secret',
  async run(ctx) {
    const configured = ctx.config.stripe.webhookSecret;
    const created = ctx.state.createdEndpointSecret;
    if (created) {
      return created === configured
        ? result('ok', 'STRIPE_WEBHOOK_SECRET is the secret of the endpoint just created')
        : result(
            'fixed',
            'the endpoint just created signs with a new secret',
            'run the supabase secrets set STRIPE_WEBHOOK_SECRET=… line printed below',
          );
    }
    if (!configured)
      return result(
        'problem',
        'STRIPE_WEBHOOK_SECRET is not set',
        "set the endpoint's signing secret (Dashboard → Developers → Webhooks → Reveal), or doctor --fix on a new endpoint",
      );
    const url = endpointUrl(ctx);
    const endpoint = url ? (await listEndpoints(ctx)).find((e) => e.url === url) : undefined;
    if (!endpoint) return result('problem', 'no webhook endpoint to verify it against', 'see stripe.webhook_endpoint');
    // Strictly after the endpoint's creation second (an event of that same second may predate it and have been
    // applied by a replay), of a type it receives, and answered 2xx by every endpoint it went to.
    const receives = (type: string) => endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type);
    const delivered = [];
    for await (const event of ctx.stripe.events.list({
      types: handledEventTypes(),
      created: { gt: endpoint.created },
      limit: 20,
    })) {
      if (event.pending_webhooks === 0 && receives(event.type)) delivered.push(event);
      if (delivered.length >= 20) break;
    }
    for (const event of delivered) {
      if ((await stripeEventStatus(ctx.sql, event.id)) === 'processed') {
        return result('ok', `proven: the handler verified and applied ${event.id}, delivered by ${endpoint.id}`);
      }
    }
    return result(
      'warning',
      "not proven: Stripe never shows an endpoint's secret again, and no event it delivered has been applied yet",
      'run doctor again after the next event; if the handler answers 400 on signatures, roll the secret (Dashboard → Webhooks) and set it',
    );
  },
};
