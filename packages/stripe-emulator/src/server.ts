/**
 * The HTTP shell: reads the body, checks `Authorization: Bearer sk_test_…`, decodes the form, replays
 * Idempotency-Key results, runs the route, renders + expands the answer and writes Stripe's headers.
 * One structured log line per request (method, path, status, ms; never bodies, keys or card numbers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { StripeApiError } from './errors.ts';
import { parseForm } from './form.ts';
import { newId } from './ids.ts';
import type { IdempotencyCache } from './idempotency.ts';
import { paginate } from './list.ts';
import { expandPaths } from './params.ts';
import { applyExpand, render } from './render.ts';
import type { Emu } from './emu.ts';
import type { Req, Router } from './router.ts';
import type { Obj } from './store.ts';
import type { KeyMode } from './limits.ts';
import { responseDelayMs } from './latency.ts';

const MAX_BODY = 1 << 20;

export function handler(emu: Emu, router: Router, idem: IdempotencyCache) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = newId('req', 14);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const version = (req.headers['stripe-version'] as string | undefined) ?? Stripe.API_VERSION;
    let status = 500;
    let body = '';
    let errorCode: string | undefined;
    let headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': requestId,
      'stripe-version': version,
    };
    let release: (() => void) | undefined;
    try {
      const raw = await readBody(req);
      const matched = router.match(method, url.pathname);
      if (!matched)
        throw new StripeApiError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${method}: ${url.pathname}).`,
        );
      if (matched === 'method_not_allowed')
        throw new StripeApiError(
          405,
          'invalid_request_error',
          `Unrecognized request URL (${method}: ${url.pathname}).`,
        );
      const params =
        method !== 'POST'
          ? parseForm(url.search.slice(1))
          : url.pathname.startsWith('/v2/')
            ? parseJsonBody(raw)
            : parseForm(raw);
      const r: Req = { method, path: url.pathname, params, path_params: matched.path_params, headers: req.headers };
      if ('page' in matched.route) {
        const page = await matched.route.page(r, emu);
        ({ status, body } = page);
        headers = { 'content-type': 'text/html; charset=utf-8', ...page.headers };
      } else {
        const route = matched.route;
        const mode = route.authenticate
          ? route.authenticate(req.headers.authorization, emu)
          : authenticate(req.headers.authorization);
        // Before the Idempotency-Key replay: a throttled call is not processed, so a retry with the same key can run.
        release = route.admit?.(r, emu, mode);
        const key = req.headers['idempotency-key'] as string | undefined;
        const fingerprint = `${method} ${url.pathname} ${raw}`;
        const replay = key && method === 'POST' ? idem.lookup(key, fingerprint) : undefined;
        if (replay) {
          ({ status, body } = replay);
          headers['idempotent-replayed'] = 'true';
        } else {
          try {
            // Handlers are synchronous, so the request context cannot leak into another request's events.
            emu.currentRequest = { id: requestId, idempotency_key: key ?? null };
            let result: unknown;
            try {
              result = route.api(r, emu);
            } finally {
              emu.currentRequest = null;
            }
            result = await result;
            status = 200;
            body = JSON.stringify(present(result as Obj, r, emu), null, 2);
          } catch (err) {
            if (!(err instanceof StripeApiError)) throw err;
            status = err.status;
            errorCode = err.code ?? err.type;
            body = JSON.stringify(err.toJSON(), null, 2);
          }
          if (key && method === 'POST') idem.save(key, fingerprint, status, body);
        }
        if (key) headers['idempotency-key'] = key;
      }
    } catch (err) {
      const e =
        err instanceof StripeApiError
          ? err
          : new StripeApiError(500, 'api_error', 'An unknown error occurred in the emulator.');
      if (!(err instanceof StripeApiError))
        emu.logger.error('emulator error', { request_id: requestId, error: (err as Error).stack });
      status = e.status;
      errorCode = e.code ?? e.type;
      body = JSON.stringify(e.toJSON(), null, 2);
    }
    // The answer waits out the configured latency; a throttled call stays in flight until it is answered.
    const delay = responseDelayMs(emu.options.latencyMs);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    res.writeHead(status, headers).end(body);
    release?.();
    emu.logger.info('request', {
      request_id: requestId,
      method,
      path: url.pathname,
      status,
      ...(errorCode ? { error: errorCode } : {}),
      ms: Math.round(performance.now() - started),
    });
  };
}

/**
 * Bearer auth as the SDK sends it, or Basic auth with the key as user name as curl -u sends it
 * (docs.stripe.com/api/authentication). A live key is accepted only for its mode's meter-event limits (limits.ts).
 */
export function authenticate(authorization: string | undefined): KeyMode {
  const basic = /^Basic (\S+)$/.exec(authorization ?? '');
  const key = basic
    ? Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':')[0]
    : /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (key?.startsWith('sk_live_')) return 'live';
  if (!key?.startsWith('sk_test_')) {
    throw new StripeApiError(
      401,
      'authentication_error',
      authorization
        ? 'Invalid API Key provided. The emulator accepts secret keys (sk_test_…, or sk_live_… for live-mode limits).'
        : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  return 'test';
}

/** API v2 takes JSON bodies (docs.stripe.com/api-v2-overview). */
function parseJsonBody(raw: string): Obj {
  try {
    const body: unknown = raw ? JSON.parse(raw) : {};
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Obj;
  } catch {
    /* answered below */
  }
  throw new StripeApiError(400, 'invalid_request_error', 'The request body must be a JSON object.');
}

/** Stored objects are rendered; arrays from list handlers become paginated lists. */
function present(result: Obj, req: Req, emu: Emu): Obj {
  if (req.path.startsWith('/v2/')) return result; // v2 objects are answered as built: no expand, no rendering
  const expand = expandPaths(req.params);
  if (Array.isArray(result)) {
    const page = paginate(result as Obj[], req.params, req.path);
    const list = {
      ...page,
      data: page.data.map((o) => (o.object === 'billing.meter_event_summary' ? o : render(o, emu.store))),
    };
    return applyExpand(list, expand, emu.store);
  }
  if (result.object === 'list' || result.deleted === true || result.object === 'billing.meter_event')
    return applyExpand(result, expand, emu.store);
  return applyExpand(render(result, emu.store), expand, emu.store);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new StripeApiError(413, 'invalid_request_error', 'Request body too large.'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
