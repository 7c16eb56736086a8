/**
 * API and auth failures as sentences a customer can act on. Codes are the stable ones of docs/http-api.md#error-codes;
 * for `invalid_request` the server's own message names the field, so it is shown as given.
 */
import { ApiError } from './api.ts';

const SENTENCES: Record<string, string> = {
  already_subscribed: 'Your organisation already has an active subscription. You can see it on your dashboard.',
  unauthorized: 'Your session has ended. Please sign in again.',
  forbidden: "Only the organisation's owner can manage its billing.",
  plan_not_found: 'That plan is no longer offered. Please choose another one.',
  organisation_not_found: 'We could not find your organisation. Please create it first.',
  org_id_required: 'You own several organisations; please choose one first.',
  no_active_subscription: 'Your organisation has no active subscription.',
  already_on_plan: 'Your organisation is on this plan already.',
  subscription_not_active:
    'Your last payment failed: please pay the open invoice on your dashboard before changing plans.',
  stripe_unavailable:
    'Our payment provider is not reachable right now. Nothing was charged; please try again in a minute.',
  database_unavailable: 'AiSyst is briefly unavailable. Please try again in a minute.',
  network: 'We could not reach AiSyst. Check your connection and try again.',
  internal: 'Something went wrong on our side. Nothing was charged; please try again.',
};

export function errorSentence(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'invalid_request' && error.message) return error.message;
    return SENTENCES[error.code] ?? (error.message || SENTENCES.internal!);
  }
  return authErrorSentence(error);
}

/** supabase-js AuthError messages/codes (https://supabase.com/docs/guides/auth/debugging/error-codes). */
export function authErrorSentence(error: unknown): string {
  const e = (error ?? {}) as { code?: string; message?: string; status?: number };
  const text = `${e.code ?? ''} ${e.message ?? ''}`.toLowerCase();
  if (text.includes('invalid_credentials') || text.includes('invalid login'))
    return 'That email and password do not match an account.';
  if (text.includes('user_already_exists') || text.includes('already registered'))
    return 'An account with this email already exists. Please sign in instead.';
  if (text.includes('weak_password') || text.includes('password should'))
    return 'Please choose a longer password (at least 8 characters).';
  if (text.includes('email_not_confirmed')) return 'Please confirm your email address first; we sent you a link.';
  if (text.includes('email_address_invalid') || text.includes('invalid email'))
    return 'Please enter a valid email address.';
  if (text.includes('fetch') || text.includes('network')) return SENTENCES.network!;
  return e.message ? `Sign-in failed: ${e.message}` : SENTENCES.internal!;
}
