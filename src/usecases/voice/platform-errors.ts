/** The two refusals every platform verifier shares. */
import { AppError } from '../../errors.ts';

/** 401: the platforms treat any non-2xx as "retry", so nothing is stored and a forger learns only "no". */
export function invalidSignature(message: string): AppError {
  return new AppError('invalid_signature', message, {}, { status: 401 });
}

/** 503 naming the variable: the operator has not configured this platform yet; the platform retries later. */
export function notConfigured(variable: string, platform: string): AppError {
  return new AppError('not_configured', `${platform} webhooks are not configured here: set ${variable}.`, { variable });
}
