/**
 * The ONE place where a failure becomes an HTTP response (STYLE.md practice 5, as in hono's errorHandler and
 * lago's api_errors): an AppError shows its code, message and details; a Stripe outage becomes
 * `stripe_unavailable`; a lost database becomes `database_unavailable`; anything else is a bare 500 whose cause
 * goes to the log only. Nothing but the code and a human message ever reaches the client.
 */
import { AppError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import { jsonResponse } from './json.ts';

export const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again; if it keeps happening, contact support.';

/** Classifies any thrown value as an AppError (for the client) — the original stays the cause (for the log). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const stripe = stripeFailure(err);
  if (stripe) return new AppError('stripe_unavailable', 'Our payment provider is not reachable right now. Please try again in a moment.', {}, { cause: err, status: stripe });
  if (isDatabaseUnavailable(err)) return new AppError('database_unavailable', 'The service is temporarily unavailable. Please try again in a moment.', {}, { cause: err });
  return new AppError('internal', INTERNAL_MESSAGE, {}, { cause: err });
}

export function errorResponse(err: unknown, logger: Logger, fields: Record<string, unknown> = {}): Response {
  const appError = toAppError(err);
  if (appError.status >= 500) {
    logger.error('request failed', { ...fields, error: appError.code, cause: describeCause(appError.cause ?? err) });
  }
  return jsonResponse({ error: appError.code, message: appError.message, ...appError.details }, appError.status);
}

/**
 * Errors the stripe SDK throws carry `type` (StripeConnectionError, StripeAPIError, …) and `statusCode`
 * (https://docs.stripe.com/api/errors). Only the ones that mean "Stripe is unreachable or overloaded" are 502/503;
 * a StripeInvalidRequestError escaping a use case is our bug, hence a plain 500.
 */
function stripeFailure(err: unknown): 502 | 503 | undefined {
  if (!isObject(err) || typeof err.type !== 'string' || !err.type.startsWith('Stripe')) return undefined;
  if (err.type === 'StripeConnectionError' || err.type === 'StripeRateLimitError') return 503;
  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (err.type === 'StripeAPIError' || (status !== undefined && status >= 500)) return 502;
  if (status === 429) return 503;
  return undefined;
}

/** SQLSTATE class 08 (connection exception), 57P0x (server shutting down), 53300 (too many connections), and
 * the client-side codes postgres.js uses; PGlite says it is closed. */
function isDatabaseUnavailable(err: unknown): boolean {
  if (!isObject(err)) return false;
  const code = typeof err.code === 'string' ? err.code : '';
  if (/^08/.test(code) || /^57P0/.test(code) || code === '53300') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT'].includes(code)) return true;
  return typeof err.message === 'string' && /PGlite is closed/i.test(err.message);
}

/** For the log: name, message and code of the cause chain — never the request. `redact` in the logger masks keys. */
export function describeCause(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; type?: unknown; statusCode?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.type !== undefined ? { type: e.type } : {}),
    ...(e.statusCode !== undefined ? { status: e.statusCode } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: describeCause(e.cause, depth + 1) } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
