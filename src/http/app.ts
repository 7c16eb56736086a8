/**
 * The whole HTTP surface as `fetch(Request) → Response` (as hono does), so the same app runs under node:http
 * (src/entries/node/serve.ts), Deno.serve (supabase/functions) and in tests with no server at all.
 * Functions live at /functions/v1/<name>, Supabase's path; the hosted runtime strips that prefix, so entries
 * deployed there pass `serveAtRoot` to also match /<name>.
 */
import { createAuthenticator } from '../adapters/auth/authenticator.ts';
import { AppError } from '../errors.ts';
import { CORS_HEADERS, isBrowserFacing, preflightResponse } from './cors.ts';
import { dispatchRoute } from './dispatch-route.ts';
import { errorResponse } from './error-response.ts';
import { healthResponse } from './health.ts';
import { requestIdOf } from './request-id.ts';
import type { AppContext } from '../usecases/context.ts';
import type { Route } from './route.ts';

export const FUNCTIONS_PREFIX = '/functions/v1/';

export type OptionalHandler = (req: Request) => Promise<Response | undefined>;

export interface AppExtras {
  /** The customer pages (local stack). Answers undefined for paths it does not serve. */
  pages?: OptionalHandler;
  /** The local Supabase Auth subset at /auth/v1/* (local stack only). */
  localAuth?: OptionalHandler;
  /** Also match /<name> (Supabase's hosted runtime hands functions the path without /functions/v1). */
  serveAtRoot?: boolean;
}

export interface App {
  fetch(request: Request): Promise<Response>;
}

export function createApp(ctx: AppContext, routes: Route[], extras: AppExtras = {}): App {
  const byName = new Map(routes.map((r) => [r.name, r]));
  const auth = createAuthenticator(ctx.config.auth);

  function routeAt(path: string): { route: Route; subPath: string } | undefined {
    const fnPath = path.startsWith(FUNCTIONS_PREFIX)
      ? path.slice(FUNCTIONS_PREFIX.length).replace(/\/$/, '')
      : extras.serveAtRoot
        ? path.slice(1).replace(/\/$/, '')
        : undefined;
    if (fnPath === undefined) return undefined;
    const exact = byName.get(fnPath);
    if (exact) return { route: exact, subPath: '' };
    // /<name>/<sub-path> only for a route that asks for it (voice-webhook/<platform>); elsewhere it stays a 404.
    const slash = fnPath.indexOf('/');
    const parent = slash > 0 ? byName.get(fnPath.slice(0, slash)) : undefined;
    return parent?.subPaths ? { route: parent, subPath: fnPath.slice(slash + 1) } : undefined;
  }

  async function answer(
    request: Request,
    url: URL,
    requestId: string,
    route: Route | undefined,
    subPath: string,
  ): Promise<{ response: Response; cors: boolean }> {
    const path = url.pathname;
    const isApi = path.startsWith(FUNCTIONS_PREFIX) || path.startsWith('/auth/v1/') || route !== undefined;
    const cors = isBrowserFacing(route);
    if (request.method === 'OPTIONS' && isApi) return { response: preflightResponse(route), cors };
    if (route) return { response: await dispatchRoute(route, request, url, requestId, ctx, auth, subPath), cors };
    if (path === '/health') return { response: await healthResponse(ctx, request.method), cors: true };
    if (path.startsWith('/auth/v1/') && extras.localAuth) {
      const res = await extras.localAuth(request);
      if (res) return { response: res, cors: true };
    }
    if (!isApi && extras.pages && (request.method === 'GET' || request.method === 'HEAD')) {
      const res = await extras.pages(request);
      if (res) return { response: res, cors: false };
    }
    throw new AppError('not_found', `Nothing lives at ${request.method} ${path}.`);
  }

  return {
    async fetch(request) {
      const started = performance.now();
      const requestId = requestIdOf(request);
      const url = new URL(request.url);
      const matched = routeAt(url.pathname);
      const route = matched?.route;
      let response: Response;
      // A backend-only function's failures carry no CORS headers either (cors.ts).
      let cors = isBrowserFacing(route);
      try {
        ({ response, cors } = await answer(request, url, requestId, route, matched?.subPath ?? ''));
      } catch (err) {
        response = errorResponse(err, ctx.logger, {
          request_id: requestId,
          method: request.method,
          path: url.pathname,
        });
      }
      // Copy: a Response may come with immutable headers (e.g. one passed through from fetch).
      const headers = new Headers(response.headers);
      headers.set('x-request-id', requestId);
      if (cors) for (const [k, v] of Object.entries(CORS_HEADERS)) if (!headers.has(k)) headers.set(k, v);
      const final = new Response(request.method === 'HEAD' ? null : response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
      // One line per request; never the query string, headers or body (they carry tokens and ids of others).
      ctx.logger.info('request', {
        method: request.method,
        path: url.pathname,
        status: final.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        request_id: requestId,
      });
      return final;
    },
  };
}
