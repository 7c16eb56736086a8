/** Events (docs.stripe.com/api/events) and webhook endpoints (docs.stripe.com/api/webhook_endpoints). */
import Stripe from 'stripe';
import { notFound } from '../errors.ts';
import type { FormValue } from '../form.ts';
import { newId } from '../ids.ts';
import { rangeFilter } from '../list.ts';
import { allowOnly, arr, mergeMetadata, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { newWebhookSecret } from '../webhooks/sign.ts';

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/events/:id',
    api: (req, emu) => {
      return emu.store.require('event', req.path_params.id as string);
    },
  },
  {
    method: 'GET',
    pattern: '/v1/events',
    api: (req, emu) => {
      const q = req.params;
      const types = q.types === undefined ? undefined : ([] as FormValue[]).concat(q.types).map(String);
      const created = rangeFilter(q.created);
      const matches = (t: string, pattern: string) =>
        pattern.endsWith('*') ? t.startsWith(pattern.slice(0, -1)) : t === pattern;
      return emu.store
        .all('event')
        .filter(
          (e) =>
            (q.type === undefined || matches(e.type, String(q.type))) &&
            (!types || types.some((t) => matches(e.type, t))) &&
            created(e.created),
        );
    },
  },
  {
    method: 'POST',
    pattern: '/v1/webhook_endpoints',
    api: (req, emu) => {
      const p = req.params;
      allowOnly(p, ['url', 'enabled_events', 'api_version', 'description', 'metadata', 'connect']);
      const url = requiredStr(p, 'url');
      const events = arr(p, 'enabled_events');
      if (!events?.length) throw notFound('enabled_events', '', 'enabled_events');
      const endpoint: Partial<Stripe.WebhookEndpoint> & Obj = {
        id: newId('we'),
        object: 'webhook_endpoint',
        api_version: str(p, 'api_version') ?? Stripe.API_VERSION,
        application: null,
        created: emu.realNow(),
        description: str(p, 'description') ?? null,
        enabled_events: events.map(String),
        livemode: false,
        metadata: mergeMetadata({}, p.metadata),
        status: 'enabled',
        url,
      } as Obj;
      const secret = emu.options.webhookSecret ?? newWebhookSecret();
      emu.store.state.secrets[endpoint.id as string] = secret;
      emu.store.put(endpoint);
      // The secret is only ever shown in the create response (docs.stripe.com/api/webhook_endpoints/create).
      return { ...endpoint, secret };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/webhook_endpoints/:id',
    api: (req, emu) => {
      return emu.store.require('webhook_endpoint', req.path_params.id as string);
    },
  },
  { method: 'GET', pattern: '/v1/webhook_endpoints', api: (_req, emu) => emu.store.all('webhook_endpoint') },
  {
    method: 'POST',
    pattern: '/v1/webhook_endpoints/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
      const e = emu.store.require('webhook_endpoint', req.path_params.id as string);
      if (req.params.url !== undefined) e.url = str(req.params, 'url');
      const events = arr(req.params, 'enabled_events');
      if (events) e.enabled_events = events.map(String);
      if (req.params.disabled !== undefined) e.status = req.params.disabled === 'true' ? 'disabled' : 'enabled';
      if (req.params.metadata !== undefined) e.metadata = mergeMetadata(e.metadata, req.params.metadata);
      emu.store.changed();
      return e;
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/webhook_endpoints/:id',
    api: (req, emu) => {
      const id = req.path_params.id as string;
      if (!emu.store.get('webhook_endpoint', id)) throw notFound('webhook_endpoint', id);
      emu.store.remove('webhook_endpoint', id);
      delete emu.store.state.secrets[id];
      return { id, object: 'webhook_endpoint', deleted: true };
    },
  },
];
