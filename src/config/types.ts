/** The typed configuration, parsed once at the entry from a passed-in record (see parse-config.ts). */
export type StripeMode = 'emulator' | 'test' | 'live';

export interface Config {
  /** Functions + pages (local stack). */
  port: number;
  /** Port of the embedded emulator in the local stack. */
  stripeEmulatorPort: number;
  /** STRIPE_EMULATOR_LATENCY_MS: the embedded emulator delays every answer by this (±20 %); absent = 0. */
  stripeEmulatorLatencyMs?: number;
  database: { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };
  stripe: {
    mode: StripeMode;
    /** In emulator mode a generated `sk_test_local…` key. */
    secretKey: string;
    /** Base URL of a Stripe-compatible API (STRIPE_API_BASE); unset for api.stripe.com or the embedded emulator. */
    apiBase: URL | undefined;
    /** Unset locally → generated per data dir by the local stack. */
    webhookSecret: string | undefined;
    setupFeePriceId: string | undefined;
  };
  websiteUrl: string;
  /** PUBLIC_FUNCTIONS_URL: the deployed functions' base URL (no trailing `/`), read by `doctor` and voice-webhook/twilio (the URL Twilio signs); absent when unset. */
  publicFunctionsUrl?: string;
  /**
   * The voice platforms' webhook secrets (ELEVENLABS_WEBHOOK_SECRET, TWILIO_AUTH_TOKEN, LIVEKIT_API_KEY /
   * LIVEKIT_API_SECRET); undefined = that platform is not configured; absent when none is set.
   */
  voice?: {
    elevenlabsWebhookSecret: string | undefined;
    twilioAuthToken: string | undefined;
    livekitApiKey: string | undefined;
    livekitApiSecret: string | undefined;
  };
  /**
   * METER_STREAM_THRESHOLD: a delivery pass sends over Stripe's v2 meter event stream when at least this many calls
   * are due across customers, over v1 meter events below it (docs/design.md#usage-ledger-and-meter-delivery);
   * absent when unset or at its default (DEFAULT_METER_STREAM_THRESHOLD, 1,000).
   */
  meterStreamThreshold?: number;
  /** PAST_DUE_GRACE_DAYS: how long a past_due organisation may still start calls (entitlement); absent = 3. */
  pastDueGraceDays?: number;
  /**
   * Usage-alert e-mail (issue 11 §3): SMTP_URL (smtp:// or smtps://, with credentials), MAIL_FROM, and SMTP_PORT of the
   * local stack's catch-all SMTP server. Each absent when unset (SMTP_PORT also when it is the default, 1025); without
   * SMTP_URL a deployed function queues alerts and sends none, the local stack sends them to its catcher.
   */
  smtpUrl?: string;
  mailFrom?: string;
  smtpPort?: number;
  auth: {
    supabaseUrl: string | undefined;
    /** JWKS JSON (SUPABASE_JWKS) when given inline. */
    jwks: string | undefined;
    /** Empty when unset with a live key: HS256 tokens are then refused. */
    jwtSecret: string;
    anonKey: string;
    /** Empty when unset with a live key: no service-role key is accepted. */
    serviceRoleKey: string;
    secretKeys: string[];
    /**
     * True in a deployed Edge Function (set by supabase/functions/_shared/function-app.ts, never from the
     * environment): the public local defaults (DEFAULT_SUPABASE_JWT_SECRET, the demo service-role key) are never
     * trusted, whatever SUPABASE_URL says. Unset for the local stack.
     */
    deployed?: boolean;
  };
}
