/**
 * `aisyst-billing smoke-test`: one customer's month, end to end, against a running deployment (the local stack,
 * the emulator, or a Supabase project on Stripe test mode). Everything it touches is passed in: the Stripe SDK, a
 * `fetch` for the functions and Supabase Auth, and the clock it times steps and waits with.
 */
import type Stripe from 'stripe';

export interface SmokeTestPorts {
  stripe: Stripe;
  fetch: typeof fetch;
  /** Milliseconds since some origin: step timings and wait deadlines. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Where the deployment is and how to call it (docs/http-api.md#authentication). */
export interface SmokeTestTarget {
  /** The functions' base URL, e.g. https://<ref>.supabase.co/functions/v1 (no trailing `/`). */
  functionsUrl: string;
  /** Supabase Auth's base URL, e.g. https://<ref>.supabase.co/auth/v1. */
  authUrl: string;
  /** The project's anon (publishable) key: Auth wants it on every request. */
  anonKey: string;
  /** A backend key (a secret key or the service-role key): report-usage and deliver-usage accept only these. */
  backendKey: string;
  /** STRIPE_SETUP_FEE_PRICE_ID when set; else the setup fee price is found by its catalog lookup key. */
  setupFeePriceId: string | undefined;
  /** How long each wait (webhooks, the clock, the meter) may take before its step fails. */
  waitTimeoutMs: number;
}

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  /** What was found (✓) or what went wrong (✗), one line. */
  detail: string;
}

/** What the run created, so that cleanup undoes exactly that and the report names what remains. */
export interface SmokeState {
  email?: string;
  userId?: string;
  token?: string;
  orgId?: string;
  planId?: string;
  clockId?: string;
  customerId?: string;
  subscriptionId?: string;
  periodStart?: number;
  periodEnd?: number;
}
