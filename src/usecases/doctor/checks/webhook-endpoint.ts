/**
 * `stripe.webhook_endpoint`: one enabled endpoint at PUBLIC_FUNCTIONS_URL/stripe-webhook-handler, receiving exactly
 * the events the handler applies, on the API version the SDK pins (payloads then match the SDK's types:
 * docs.stripe.com/webhooks#api-versions). Other endpoints receiving the same events are a warning (a second
 * consumer is often a forgotten `stripe listen` or an old deployment).
 *
 * The fix creates the endpoint, or updates its events / re-enables it. `api_version` can only be set when an
 * endpoint is created (docs.stripe.com/api/webhook_endpoints/update has no such parameter), so an endpoint on
 * another version is deleted and created again. A created endpoint's secret is shown once
 * (docs.stripe.com/api/webhook_endpoints/create): it is kept for `stripe.webhook_secret` and printed with the
 * `supabase secrets set` line.
 */
import Stripe from 'stripe';
import {
  ENDPOINT_DESCRIPTION,
  eventsDiffer,
  handledEventTypes,
  overlapsOurs,
  WEBHOOK_PATH,
} from '../webhook-events.ts';
import { result, type Check, type DoctorContext } from '../types.ts';

export const endpointUrl = (ctx: DoctorContext): string | undefined =>
  ctx.config.publicFunctionsUrl ? `${ctx.config.publicFunctionsUrl}${WEBHOOK_PATH}` : undefined;

export async function listEndpoints(ctx: DoctorContext): Promise<Stripe.WebhookEndpoint[]> {
  return ctx.stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 });
}

/** What is wrong with an endpoint at our URL ([] when nothing). */
export function endpointProblems(e: Stripe.WebhookEndpoint): string[] {
  const problems: string[] = [];
  if (e.status !== 'enabled') problems.push('disabled');
  const { missing, extra } = eventsDiffer(e.enabled_events);
  if (missing.length > 0) problems.push(`missing events ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`extra events ${extra.join(', ')}`);
  if (e.api_version !== Stripe.API_VERSION)
    problems.push(`API version ${e.api_version ?? 'account default'}, not ${Stripe.API_VERSION}`);
  return problems;
}

export const webhookEndpointCheck: Check = {
  id: 'stripe.webhook_endpoint',
  async run(ctx) {
    const url = endpointUrl(ctx);
    if (!url)
      return result(
        'problem',
        'PUBLIC_FUNCTIONS_URL is not set: no endpoint URL to check',
        'set PUBLIC_FUNCTIONS_URL=https://<project-ref>.supabase.co/functions/v1',
      );
    const endpoints = await listEndpoints(ctx);
    const ours = endpoints.filter((e) => e.url === url);
    if (ours.length === 0) return result('problem', `no endpoint at ${url}`, 'run doctor --fix');
    if (ours.length > 1)
      return result(
        'problem',
        `${ours.length} endpoints at ${url}: every event is applied twice`,
        'run doctor --fix (keeps one)',
      );
    const problems = endpointProblems(ours[0]!);
    if (problems.length > 0) return result('problem', `${ours[0]!.id}: ${problems.join('; ')}`, 'run doctor --fix');
    const others = endpoints.filter((e) => e.url !== url && e.status === 'enabled' && overlapsOurs(e));
    if (others.length > 0) {
      return result(
        'warning',
        `${ours[0]!.id} ok; also receiving our events: ${others.map((e) => `${e.id} (${e.url})`).join(', ')}`,
        'delete endpoints you no longer use (Dashboard → Developers → Webhooks)',
      );
    }
    return result('ok', `${ours[0]!.id}: ${handledEventTypes().length} events, API ${Stripe.API_VERSION}`);
  },
  async fix(ctx) {
    const url = endpointUrl(ctx);
    if (!url) return;
    const ours = (await listEndpoints(ctx)).filter((e) => e.url === url);
    // Keep the first one whose version is right (its secret may already be deployed); delete the rest.
    const keep = ours.find((e) => e.api_version === Stripe.API_VERSION);
    for (const e of ours) if (e !== keep) await ctx.stripe.webhookEndpoints.del(e.id);
    if (keep) {
      if (endpointProblems(keep).length > 0)
        await ctx.stripe.webhookEndpoints.update(keep.id, {
          enabled_events: handledEventTypes() as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
          disabled: false,
        });
      return;
    }
    const created = await ctx.stripe.webhookEndpoints.create({
      url,
      enabled_events: handledEventTypes() as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      api_version: Stripe.API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
      description: ENDPOINT_DESCRIPTION,
    });
    if (created.secret) {
      ctx.state.createdEndpointSecret = created.secret;
      ctx.state.secretsToSet.push(`supabase secrets set STRIPE_WEBHOOK_SECRET=${created.secret}`);
    }
  },
};
