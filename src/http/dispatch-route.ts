/**
 * Runs one function: method check, body limit, JSON parsing, auth, then the route's handler. Everything a
 * route can rely on before it runs (src/http/route.ts).
 */
import { AppError } from '../errors.ts';
import type { Authenticator } from '../adapters/auth/authenticator.ts';
import type { Logger } from '../ports/logger.ts';
import { errorResponse } from './error-response.ts';
import { parseJsonBody, readBodyLimited } from './read-body.ts';
import type { AppContext } from '../usecases/context.ts';
import type { Caller, Route } from './route.ts';

export async function dispatchRoute(
  route: Route,
  request: Request,
  url: URL,
  requestId: string,
  ctx: AppContext,
  auth: Authenticator,
  subPath = '',
): Promise<Response> {
  if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
    return methodNotAllowed(`${route.name} accepts ${route.method} only.`, `${route.method}, OPTIONS`, ctx.logger);
  }
  const caller = await authenticate(route, request.headers, auth);
  const rawBody = route.method === 'POST' ? await readBodyLimited(request, route.bodyLimitBytes) : '';
  // The webhook handlers verify the raw bytes themselves (Twilio's are not even JSON); parsing first would add nothing.
  const selfVerified = route.auth === 'stripe-signature' || route.auth === 'platform-signature';
  const json =
    route.method !== 'POST' || selfVerified
      ? undefined
      : route.emptyBodyAllowed && rawBody.trim() === ''
        ? {}
        : parseJsonBody(rawBody);
  return route.handle({ request, url, caller, rawBody, json, requestId, subPath }, ctx);
}

/** 405 naming what is allowed (RFC 9110 §15.5.6). */
export function methodNotAllowed(message: string, allow: string, logger: Logger): Response {
  const response = errorResponse(new AppError('method_not_allowed', message), logger);
  response.headers.set('allow', allow);
  return response;
}

async function authenticate(route: Route, headers: Headers, auth: Authenticator): Promise<Caller> {
  switch (route.auth) {
    case 'none':
    case 'stripe-signature':
    case 'platform-signature':
      return { kind: 'anonymous' };
    case 'user': {
      const user = await auth.user(headers);
      if (!user)
        throw new AppError(
          'unauthorized',
          'Sign in first: send Authorization: Bearer <access token> with a valid, unexpired Supabase session.',
        );
      return { kind: 'user', ...user };
    }
    case 'backend': {
      if (!(await auth.backend(headers)))
        throw new AppError(
          'unauthorized',
          'This endpoint is for the backend: send the service-role or a secret key as Authorization: Bearer <key>.',
        );
      return { kind: 'backend' };
    }
  }
}
