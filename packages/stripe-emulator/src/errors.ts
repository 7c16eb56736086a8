/**
 * Stripe's error shape: `{error: {type, code, message, param}}` with the status Stripe uses
 * (docs.stripe.com/api/errors): 400 invalid_request_error, 401 authentication_error, 402 card_error,
 * 404 resource_missing (an invalid_request_error), 409/400 idempotency_error.
 */
export type StripeErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'card_error'
  | 'idempotency_error'
  | 'api_error';

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly code?: string,
    readonly param?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toJSON(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code) error.code = this.code;
    if (this.param) error.param = this.param;
    if (this.code) error.doc_url = `https://docs.stripe.com/error-codes/${this.code.replace(/_/g, '-')}`;
    return { error: { ...error, ...this.extra } };
  }
}

export const missingParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Missing required param: ${param}.`, 'parameter_missing', param);

export const unknownParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Received unknown parameter: ${param}`, 'parameter_unknown', param);

export const invalidParam = (param: string, message: string, code = 'parameter_invalid') =>
  new StripeApiError(400, 'invalid_request_error', message, code, param);

export const invalidRequest = (message: string, param?: string) =>
  new StripeApiError(400, 'invalid_request_error', message, undefined, param);

export const notFound = (kind: string, id: string, param = 'id') =>
  new StripeApiError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', param);

export const cardDeclined = (declineCode = 'generic_decline') =>
  new StripeApiError(402, 'card_error', 'Your card was declined.', 'card_declined', undefined, {
    decline_code: declineCode,
  });
