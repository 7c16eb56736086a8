import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createApp } from '../../src/http/app.ts';
import { jsonResponse } from '../../src/http/json.ts';
import type { Route } from '../../src/http/route.ts';
import { userToken } from '../auth/tokens.ts';
import { fakeContext, fakeSql } from './fake-context.ts';

const USER = '6f1c7c1e-2b8f-4c3e-9a55-0d7b5a1e2f30';

/** Routes whose behaviour the table below provokes: echo, and failures of every kind. */
function testRoutes(): Route[] {
  const throwing = (name: string, err: () => unknown): Route => ({
    name,
    method: 'GET',
    auth: 'none',
    handle: async () => {
      throw err();
    },
  });
  return [
    { name: 'echo', method: 'POST', auth: 'none', handle: async ({ json, caller }) => jsonResponse({ json, caller }) },
    { name: 'mine', method: 'GET', auth: 'user', handle: async ({ caller }) => jsonResponse({ caller }) },
    { name: 'backend-only', method: 'POST', auth: 'backend', handle: async ({ caller }) => jsonResponse({ caller }) },
    {
      name: 'webhook',
      method: 'POST',
      auth: 'stripe-signature',
      handle: async ({ rawBody }) => jsonResponse({ length: rawBody.length }),
    },
    {
      name: 'scheduled',
      method: 'POST',
      auth: 'backend',
      emptyBodyAllowed: true,
      handle: async ({ json }) => jsonResponse({ json }),
    },
    throwing('boom', () => new Error('relation "secret_table" does not exist at /srv/app.ts:12')),
    throwing(
      'conflict',
      () => new AppError('call_id_conflict', 'call_id was used for another call', { call_id: 'c1' }),
    ),
    throwing('stripe-down', () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:12111 sk_test_abcdef123'), {
        type: 'StripeConnectionError',
      }),
    ),
    throwing('stripe-500', () => Object.assign(new Error('upstream'), { type: 'StripeAPIError', statusCode: 500 })),
    throwing('stripe-bad-request', () =>
      Object.assign(new Error('No such price'), { type: 'StripeInvalidRequestError', statusCode: 400 }),
    ),
    throwing('db-down', () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ),
  ];
}

function app(env: Record<string, string> = {}) {
  const { ctx, logger } = fakeContext({}, env);
  return { app: createApp(ctx, testRoutes()), logger };
}

const at = (path: string, init?: RequestInit) => new Request(`http://local.test${path}`, init);

describe('the HTTP app: routing, limits and the one error mapping', () => {
  const cases: Array<[string, () => Promise<Request>, number, string]> = [
    ['an unknown function', async () => at('/functions/v1/nope'), 404, 'not_found'],
    ['an unknown path outside the functions', async () => at('/wp-admin'), 404, 'not_found'],
    ['a GET on a POST function', async () => at('/functions/v1/echo'), 405, 'method_not_allowed'],
    [
      'a POST on a GET function',
      async () => at('/functions/v1/boom', { method: 'POST', body: '{}' }),
      405,
      'method_not_allowed',
    ],
    [
      'a body over 64 KiB',
      async () => at('/functions/v1/echo', { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(70_000) }) }),
      413,
      'payload_too_large',
    ],
    [
      'a body that is not JSON',
      async () => at('/functions/v1/echo', { method: 'POST', body: '{"name": ' }),
      400,
      'invalid_json',
    ],
    ['an empty POST body', async () => at('/functions/v1/echo', { method: 'POST' }), 400, 'invalid_json'],
    ['a user route without a token', async () => at('/functions/v1/mine'), 401, 'unauthorized'],
    [
      'a user route with garbage',
      async () => at('/functions/v1/mine', { headers: { authorization: 'Bearer not-a-jwt' } }),
      401,
      'unauthorized',
    ],
    [
      'a backend route with a user token',
      async () =>
        at('/functions/v1/backend-only', {
          method: 'POST',
          body: '{}',
          headers: { authorization: `Bearer ${await userToken(USER)}` },
        }),
      401,
      'unauthorized',
    ],
    ['an unexpected failure', async () => at('/functions/v1/boom'), 500, 'internal'],
    ['an AppError', async () => at('/functions/v1/conflict'), 409, 'call_id_conflict'],
    ['Stripe unreachable', async () => at('/functions/v1/stripe-down'), 503, 'stripe_unavailable'],
    ['Stripe answering 500', async () => at('/functions/v1/stripe-500'), 502, 'stripe_unavailable'],
    ['a Stripe request error escaping a use case', async () => at('/functions/v1/stripe-bad-request'), 500, 'internal'],
    ['the database unreachable', async () => at('/functions/v1/db-down'), 503, 'database_unavailable'],
  ];

  it.each(cases.map(([what, request, status, code]) => ({ what, request, status, code })))(
    '$what → $status $code',
    async ({ request, status, code }) => {
      const { app: a } = app();
      const res = await a.fetch(await request());
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.error).toBe(code);
      expect(typeof body.message).toBe('string');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    },
  );

  it('never shows internals of an unexpected failure, but logs the cause', async () => {
    const { app: a, logger } = app();
    const res = await a.fetch(at('/functions/v1/boom'));
    const text = await res.text();
    expect(text).not.toMatch(/secret_table|srv|app\.ts|stack/);
    expect(logger.lines.some((l) => l.includes('secret_table'))).toBe(true);
  });

  it('names the allowed method on a 405', async () => {
    const res = await app().app.fetch(at('/functions/v1/echo'));
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('keeps the details of an AppError in the body', async () => {
    const res = await app().app.fetch(at('/functions/v1/conflict'));
    expect(await res.json()).toEqual({
      error: 'call_id_conflict',
      message: 'call_id was used for another call',
      call_id: 'c1',
    });
  });

  it('refuses an oversized chunked body while reading it, without a content-length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app().app.fetch(
      at('/functions/v1/echo', { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(100);
  });

  it('hands the parsed body and the caller to the route', async () => {
    const res = await app().app.fetch(at('/functions/v1/echo', { method: 'POST', body: '{"a":1}' }));
    expect(await res.json()).toEqual({ json: { a: 1 }, caller: { kind: 'anonymous' } });
  });

  it('gives a webhook route the raw body unparsed (it verifies the bytes itself)', async () => {
    const res = await app().app.fetch(at('/functions/v1/webhook', { method: 'POST', body: 'not json at all' }));
    expect(await res.json()).toEqual({ length: 15 });
  });

  it('answers the CORS preflight as Supabase functions do', async () => {
    const res = await app().app.fetch(
      at('/functions/v1/echo', {
        method: 'OPTIONS',
        headers: { origin: 'https://aisyst.example', 'access-control-request-method': 'POST' },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toMatch(
      /authorization.*x-client-info.*apikey.*content-type|authorization.*apikey/,
    );
    for (const h of ['authorization', 'apikey', 'content-type', 'x-client-info'])
      expect(res.headers.get('access-control-allow-headers')).toContain(h);
  });

  it('refuses a body that is not UTF-8 before parsing it (a lenient decoder made two call_ids one)', async () => {
    for (const bad of [[0xff], [0xed, 0xa0, 0x80] /* an encoded surrogate */, [0xc3] /* cut short */]) {
      const body = new Uint8Array([
        ...new TextEncoder().encode('{"call_id":"c-'),
        ...bad,
        ...new TextEncoder().encode('"}'),
      ]);
      const res = await app().app.fetch(at('/functions/v1/echo', { method: 'POST', body }));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_json' });
    }
    const fine = await app().app.fetch(
      at('/functions/v1/echo', { method: 'POST', body: new TextEncoder().encode('{"call_id":"c-\u00e9\ufffd"}') }),
    );
    expect(await fine.json()).toMatchObject({ json: { call_id: 'c-é\ufffd' } });
  });

  it('takes an empty POST body as {} on a route that allows it (a scheduler sends none), and only there', async () => {
    const { app: a } = app();
    const key = fakeContext().ctx.config.auth.serviceRoleKey;
    const res = await a.fetch(
      at('/functions/v1/scheduled', { method: 'POST', headers: { authorization: `Bearer ${key}` } }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ json: {} });
    const garbage = await a.fetch(
      at('/functions/v1/scheduled', { method: 'POST', body: 'not json', headers: { authorization: `Bearer ${key}` } }),
    );
    expect(garbage.status).toBe(400);
  });

  it('sends no CORS headers from backend-only functions, whatever they answer; their preflight gets no CORS either', async () => {
    const key = fakeContext().ctx.config.auth.serviceRoleKey;
    const requests = [
      at('/functions/v1/backend-only', {
        method: 'POST',
        body: '{}',
        headers: { authorization: `Bearer ${key}`, origin: 'https://evil.example' },
      }),
      at('/functions/v1/backend-only', { method: 'POST', body: '{}', headers: { origin: 'https://evil.example' } }), // 401
      at('/functions/v1/backend-only', { method: 'GET' }), // 405
      at('/functions/v1/webhook', { method: 'POST', body: '{}' }),
    ];
    for (const request of requests) {
      const res = await app().app.fetch(request);
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const preflight = await app().app.fetch(
      at('/functions/v1/backend-only', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('allow')).toBe('POST, OPTIONS');
    expect([...preflight.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const browser = await app().app.fetch(at('/functions/v1/mine'));
    expect(browser.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('tells a client when to retry a 503 database_unavailable (Retry-After)', async () => {
    const res = await app().app.fetch(at('/functions/v1/db-down'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await app().app.fetch(at('/functions/v1/conflict'))).headers.get('retry-after')).toBeNull();
  });

  it('puts CORS headers on errors too, so that browsers can read them', async () => {
    const res = await app().app.fetch(at('/functions/v1/nope'));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps a sane caller request id and replaces an unsafe one', async () => {
    const kept = await app().app.fetch(at('/functions/v1/nope', { headers: { 'x-request-id': 'trace-123' } }));
    expect(kept.headers.get('x-request-id')).toBe('trace-123');
    const replaced = await app().app.fetch(at('/functions/v1/nope', { headers: { 'x-request-id': 'a b<script>' } }));
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs exactly one structured line per request, without tokens, query strings or bodies', async () => {
    const { app: a, logger } = app();
    const token = await userToken(USER);
    await a.fetch(
      at('/functions/v1/mine?org_id=x&card=4242424242424242', {
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'r-1' },
      }),
    );
    expect(logger.lines).toHaveLength(1);
    const line = JSON.parse(logger.lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'request',
      method: 'GET',
      path: '/functions/v1/mine',
      status: 200,
      request_id: 'r-1',
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(logger.lines[0]).not.toContain(token.slice(0, 20));
    expect(logger.lines[0]).not.toContain('4242');
  });
});

describe('GET /health', () => {
  it('reports the database and the Stripe mode', async () => {
    const { ctx } = fakeContext();
    const res = await createApp(ctx, []).fetch(at('/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'pglite', stripe: 'emulator' });
  });

  it('answers 503 with ok:false when the database fails', async () => {
    const { ctx } = fakeContext({
      sql: fakeSql(async () => {
        throw new Error('PGlite is closed');
      }),
    });
    const res = await createApp(ctx, []).fetch(at('/health'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, database: 'pglite', stripe: 'emulator' });
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('answers HEAD without a body, and 405 naming GET, HEAD to any other method', async () => {
    const { ctx } = fakeContext();
    const head = await createApp(ctx, []).fetch(at('/health', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await createApp(ctx, []).fetch(at('/health', { method }));
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.json()).toMatchObject({ error: 'method_not_allowed' });
    }
  });
});

describe('extras', () => {
  it('serves pages for GETs outside the API, and the local auth subset under /auth/v1', async () => {
    const { ctx } = fakeContext();
    const a = createApp(ctx, [], {
      pages: async (req) =>
        new URL(req.url).pathname === '/pricing'
          ? new Response('<h1>Pricing</h1>', { headers: { 'content-type': 'text/html' } })
          : undefined,
      localAuth: async () => jsonResponse({ auth: true }),
    });
    expect(await (await a.fetch(at('/pricing'))).text()).toBe('<h1>Pricing</h1>');
    expect((await a.fetch(at('/elsewhere'))).status).toBe(404);
    expect(await (await a.fetch(at('/auth/v1/user'))).json()).toEqual({ auth: true });
  });

  it('matches /<name> too when deployed (Supabase strips /functions/v1)', async () => {
    const { ctx } = fakeContext();
    const a = createApp(ctx, testRoutes(), { serveAtRoot: true });
    expect((await a.fetch(at('/conflict'))).status).toBe(409);
    expect((await a.fetch(at('/functions/v1/conflict'))).status).toBe(409);
  });
});
