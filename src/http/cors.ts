/**
 * CORS as Supabase's Edge Function guide sets it (https://supabase.com/docs/guides/functions/cors): any origin,
 * the headers supabase-js sends, and an answer to the browser's preflight — on the functions a browser calls.
 *
 * Backend-only functions (a backend key or Stripe's signature: report-usage, deliver-usage,
 * stripe-webhook-handler) are called by servers, never by a page, so they send no CORS headers at all: a browser
 * then refuses to let any page read them. Their preflight still answers 204 with `Allow` (OPTIONS is a method
 * like any other, RFC 9110 §9.3.7), just without the `Access-Control-Allow-*` a browser needs to go on.
 */
import type { Route } from './route.ts';

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, x-client-info, apikey, content-type, x-request-id',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'x-request-id',
  'access-control-max-age': '86400',
};

/** Whether a browser may call this function: not when it takes a backend key or a Stripe signature. */
export function isBrowserFacing(route: Route | undefined): boolean {
  return route === undefined || route.auth === 'none' || route.auth === 'user';
}

export function preflightResponse(route: Route | undefined): Response {
  if (route && !isBrowserFacing(route))
    return new Response(null, { status: 204, headers: { allow: `${route.method}, OPTIONS` } });
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}
