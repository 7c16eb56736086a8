/**
 * Stable error codes callers branch on (docs/http-api.md#error-codes). Use cases throw `AppError`; exactly one place
 * (src/http/error-response.ts) turns it into an HTTP status and `{error, message}`. Anything that is not an
 * AppError is a bare 500 `internal`, its cause logged, never shown.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  org_id_required: 400,
  invalid_signature: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  plan_not_found: 404,
  organisation_not_found: 404,
  method_not_allowed: 405,
  already_subscribed: 409,
  /** change-plan: the organisation is on that plan already. */
  already_on_plan: 409,
  /** change-plan: past_due / unpaid / paused — the open invoice comes first. */
  subscription_not_active: 409,
  no_active_subscription: 409,
  /** resume-subscription: no cancellation is scheduled. */
  not_canceling: 409,
  call_id_conflict: 409,
  payload_too_large: 413,
  internal: 500,
  stripe_unavailable: 502,
  database_unavailable: 503,
  /** voice-webhook/<platform>: that platform's secret is not set (details.variable names it). */
  not_configured: 503,
  /** The project's JWKS (SUPABASE_URL/auth/v1/.well-known/jwks.json) cannot be fetched: not a bad token, retry. */
  auth_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra JSON fields for the response body (e.g. the bad `field`). Never internals. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    if (options?.status) this.statusOverride = options.status;
  }
  /** e.g. 503 instead of 502 for `stripe_unavailable` when Stripe timed out rather than refused. */
  readonly statusOverride?: number;
  get status(): number {
    return this.statusOverride ?? ERROR_STATUS[this.code];
  }
}
