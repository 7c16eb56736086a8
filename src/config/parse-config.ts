/**
 * Configuration parsed ONCE at an entry from a passed-in record (`process.env`, `Deno.env.toObject()`, or .env merged
 * under it by dotenv.ts); nothing below the entry reads the environment
 * (docs/conventions.md#configuration-and-globals). Variables and local defaults: docs/configuration.md. An empty string
 * means unset. Every problem is collected and reported in one ConfigError that names the variables and never echoes
 * their values (they may be secrets).
 */
import { DEFAULT_PAST_DUE_GRACE_DAYS } from '../domain/entitlement.ts';
import { databaseUrlProblems } from './database-url.ts';
import type { Config, StripeMode } from './types.ts';

type Env = Record<string, string | undefined>;

export const DEFAULT_PORT = 54321;
export const DEFAULT_STRIPE_EMULATOR_PORT = 12111;
export const DEFAULT_PGLITE_DIR = '.data/pglite';
/** The local stack's catch-all SMTP server (SMTP_PORT). */
export const DEFAULT_SMTP_PORT = 1025;
export { DEFAULT_PAST_DUE_GRACE_DAYS };
/** METER_STREAM_THRESHOLD's default: calls due across customers from which a delivery pass uses the v2 stream. */
export const DEFAULT_METER_STREAM_THRESHOLD = 1_000;
/** The key the SDK sends to the embedded emulator; never valid on api.stripe.com. */
export const EMULATOR_SECRET_KEY = 'sk_test_local_emulator';
/** Supabase CLI's local default (`supabase start`); see supabase.com/docs/guides/local-development. */
export const DEFAULT_SUPABASE_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
/**
 * The fixed demo keys `supabase start` prints: HS256 JWTs (iss supabase-demo, role anon / service_role,
 * exp 2032-11-11) signed with DEFAULT_SUPABASE_JWT_SECRET. Constants, because WebCrypto signing is async and
 * parsing is not; test/config/local-keys.test.ts checks the signatures with jose. Public knowledge: local only.
 */
export const DEFAULT_SUPABASE_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
export const DEFAULT_SUPABASE_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';

/** One start-up failure naming every bad variable (`problems`, one line each); values are never included. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `- ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface ParseConfigOptions {
  /** For `npm start`: also refuse what only the local stack cannot do (serve its own Auth with a live key). */
  localStack?: boolean;
}

/** Parses `env` into a Config or throws one ConfigError listing every problem. */
export function parseConfig(env: Env, options: ParseConfigOptions = {}): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const fail = <T>(message: string, fallback: T): T => {
    problems.push(message);
    return fallback;
  };

  const port = parsePort('PORT', get('PORT'), DEFAULT_PORT, fail);
  const stripeEmulatorPort = parsePort(
    'STRIPE_EMULATOR_PORT',
    get('STRIPE_EMULATOR_PORT'),
    DEFAULT_STRIPE_EMULATOR_PORT,
    fail,
  );
  const latencyText = get('STRIPE_EMULATOR_LATENCY_MS');
  const stripeEmulatorLatencyMs =
    latencyText === undefined
      ? 0
      : /^\d{1,6}$/.test(latencyText)
        ? Number(latencyText)
        : fail('STRIPE_EMULATOR_LATENCY_MS must be a whole number of milliseconds ≥ 0', 0);
  const streamText = get('METER_STREAM_THRESHOLD');
  const meterStreamThreshold =
    streamText === undefined
      ? undefined
      : /^\d{1,9}$/.test(streamText) && Number(streamText) >= 1
        ? Number(streamText)
        : fail('METER_STREAM_THRESHOLD must be a whole number of calls ≥ 1', undefined);

  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined) for (const problem of databaseUrlProblems(databaseUrl)) fail(problem, undefined);
  const database: Config['database'] = databaseUrl
    ? { kind: 'postgres', url: databaseUrl }
    : { kind: 'pglite', dir: get('PGLITE_DIR') ?? DEFAULT_PGLITE_DIR };

  const secretKey = get('STRIPE_SECRET_KEY');
  const mode: StripeMode =
    secretKey === undefined
      ? 'emulator'
      : (stripeModeOf(secretKey) ??
        fail(
          'STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_test_…, rk_live_…)',
          'test',
        ));
  if (mode === 'live' && databaseUrl === undefined) {
    fail(
      'DATABASE_URL is required when STRIPE_SECRET_KEY is a live key (PGlite is for local development only)',
      undefined,
    );
  }

  const apiBaseText = get('STRIPE_API_BASE');
  let apiBase: URL | undefined;
  if (apiBaseText !== undefined) {
    apiBase = isUrl(apiBaseText, ['http:', 'https:'])
      ? new URL(apiBaseText)
      : fail('STRIPE_API_BASE must be an http(s) URL', undefined);
  }
  const webhookSecret = get('STRIPE_WEBHOOK_SECRET');
  if (webhookSecret !== undefined && !/^whsec_\S+$/.test(webhookSecret))
    fail('STRIPE_WEBHOOK_SECRET must start with whsec_', undefined);
  const setupFeePriceId = get('STRIPE_SETUP_FEE_PRICE_ID');
  if (setupFeePriceId !== undefined && !/^price_\w+$/.test(setupFeePriceId))
    fail('STRIPE_SETUP_FEE_PRICE_ID must be a price id (price_…)', undefined);

  // The deployed functions' base (https://<ref>.supabase.co/functions/v1): where `doctor` points the webhook endpoint.
  const publicFunctionsText = get('PUBLIC_FUNCTIONS_URL');
  const publicFunctionsUrl =
    publicFunctionsText === undefined
      ? undefined
      : isUrl(publicFunctionsText, ['http:', 'https:'])
        ? publicFunctionsText.replace(/\/+$/, '')
        : fail('PUBLIC_FUNCTIONS_URL must be an http(s) URL', undefined);

  // Voice platforms' call-ended webhooks (voice-webhook/<platform>); each unset platform answers 503 not_configured.
  const voice = {
    elevenlabsWebhookSecret: get('ELEVENLABS_WEBHOOK_SECRET'),
    twilioAuthToken: get('TWILIO_AUTH_TOKEN'),
    livekitApiKey: get('LIVEKIT_API_KEY'),
    livekitApiSecret: get('LIVEKIT_API_SECRET'),
  };

  // Entitlement and usage alerts (issue 11): the grace of a past_due organisation, and where alert e-mail goes.
  const graceText = get('PAST_DUE_GRACE_DAYS');
  const pastDueGraceDays =
    graceText === undefined
      ? DEFAULT_PAST_DUE_GRACE_DAYS
      : /^\d{1,3}$/.test(graceText)
        ? Number(graceText)
        : fail('PAST_DUE_GRACE_DAYS must be a whole number of days (0–999)', DEFAULT_PAST_DUE_GRACE_DAYS);
  const smtpUrl = get('SMTP_URL');
  if (smtpUrl !== undefined && !isUrl(smtpUrl, ['smtp:', 'smtps:']))
    fail('SMTP_URL must be an smtp:// or smtps:// URL', undefined);
  const mailFrom = get('MAIL_FROM');
  if (mailFrom !== undefined && !/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(mailFrom))
    fail('MAIL_FROM must be an e-mail address, optionally with a name: Name <billing@example.com>', undefined);
  const smtpPort = parsePort('SMTP_PORT', get('SMTP_PORT'), DEFAULT_SMTP_PORT, fail);

  const websiteText = get('WEBSITE_URL') ?? `http://127.0.0.1:${port}`;
  const websiteUrl = isUrl(websiteText, ['http:', 'https:'])
    ? websiteText.replace(/\/+$/, '')
    : fail('WEBSITE_URL must be an http(s) URL', '');

  const supabaseUrl = get('SUPABASE_URL');
  if (supabaseUrl !== undefined && !isUrl(supabaseUrl, ['http:', 'https:']))
    fail('SUPABASE_URL must be an http(s) URL', undefined);
  const jwks = get('SUPABASE_JWKS');
  if (jwks !== undefined && !isJwks(jwks)) fail('SUPABASE_JWKS must be a JSON Web Key Set: {"keys": [...]}', undefined);
  const jwtSecretText = get('SUPABASE_JWT_SECRET');
  if (jwtSecretText !== undefined && jwtSecretText.length < 32)
    fail('SUPABASE_JWT_SECRET must be at least 32 characters long', undefined);
  const serviceRoleKeyText = get('SUPABASE_SERVICE_ROLE_KEY');
  const secretKeys = parseSecretKeys(get('SUPABASE_SECRET_KEYS'), fail);
  // Live money must never rest on the secrets every Supabase CLI user knows: anyone could sign a service_role JWT.
  // Unset means "none" (HS256 tokens / the service-role key refused), not the local default.
  if (mode === 'live') {
    const publicDefault = "is the public local default; a live key needs the project's own (or leave it unset)";
    if (jwtSecretText === DEFAULT_SUPABASE_JWT_SECRET) fail(`SUPABASE_JWT_SECRET ${publicDefault}`, undefined);
    if (serviceRoleKeyText === DEFAULT_SUPABASE_SERVICE_ROLE_KEY)
      fail(`SUPABASE_SERVICE_ROLE_KEY ${publicDefault}`, undefined);
    if (secretKeys.includes(DEFAULT_SUPABASE_SERVICE_ROLE_KEY))
      fail(
        `SUPABASE_SECRET_KEYS contains the public local service-role key; a live key needs the project's own`,
        undefined,
      );
  }
  // The local stack serves the pages and its own Auth: with a live key it would hand every visitor the public
  // demo anon key, and sign-in would fail on an empty JWT secret (a 500 at sign-up).
  if (options.localStack && mode === 'live') {
    const anonKey = get('SUPABASE_ANON_KEY');
    if (anonKey === undefined || anonKey === DEFAULT_SUPABASE_ANON_KEY)
      fail(
        "SUPABASE_ANON_KEY must be the project's own anon key when STRIPE_SECRET_KEY is a live key (the default is the public local demo key)",
        undefined,
      );
    if (jwtSecretText === undefined)
      fail(
        "SUPABASE_JWT_SECRET must be set to the project's own when STRIPE_SECRET_KEY is a live key: the local stack signs its users' tokens with it",
        undefined,
      );
  }
  const localDefault = mode !== 'live';
  const jwtSecret = jwtSecretText ?? (localDefault ? DEFAULT_SUPABASE_JWT_SECRET : '');
  const serviceRoleKey = serviceRoleKeyText ?? (localDefault ? DEFAULT_SUPABASE_SERVICE_ROLE_KEY : '');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    stripeEmulatorPort,
    ...(stripeEmulatorLatencyMs > 0 ? { stripeEmulatorLatencyMs } : {}),
    database,
    stripe: { mode, secretKey: secretKey ?? EMULATOR_SECRET_KEY, apiBase, webhookSecret, setupFeePriceId },
    websiteUrl,
    ...(publicFunctionsUrl ? { publicFunctionsUrl } : {}),
    // Absent at their defaults / when unset, like the emulator latency: a config without them is unchanged.
    ...(pastDueGraceDays !== DEFAULT_PAST_DUE_GRACE_DAYS ? { pastDueGraceDays } : {}),
    ...(meterStreamThreshold !== undefined && meterStreamThreshold !== DEFAULT_METER_STREAM_THRESHOLD
      ? { meterStreamThreshold }
      : {}),
    ...(smtpUrl !== undefined && isUrl(smtpUrl, ['smtp:', 'smtps:']) ? { smtpUrl } : {}),
    ...(mailFrom !== undefined ? { mailFrom } : {}),
    ...(smtpPort !== DEFAULT_SMTP_PORT ? { smtpPort } : {}),
    // Absent when no voice variable is set, like publicFunctionsUrl: a config without voice platforms is unchanged.
    ...(Object.values(voice).some((v) => v !== undefined) ? { voice } : {}),
    auth: {
      supabaseUrl: supabaseUrl?.replace(/\/+$/, ''),
      jwks,
      jwtSecret,
      anonKey: get('SUPABASE_ANON_KEY') ?? DEFAULT_SUPABASE_ANON_KEY,
      serviceRoleKey,
      secretKeys,
    },
  };
}

type Fail = <T>(message: string, fallback: T) => T;

/** Secret (`sk_`) and restricted (`rk_`) keys; the prefix says test or live (docs.stripe.com/keys). */
export function stripeModeOf(key: string): 'test' | 'live' | undefined {
  const match = /^(?:sk|rk)_(test|live)_\w+$/.exec(key);
  return match ? (match[1] as 'test' | 'live') : undefined;
}

function parsePort(name: string, text: string | undefined, fallback: number, fail: Fail): number {
  if (text === undefined) return fallback;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  return port >= 0 && port <= 65_535 ? port : fail(`${name} must be a port number 0–65535`, fallback);
}

function isUrl(text: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function isJwks(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys);
  } catch {
    return false;
  }
}

/**
 * SUPABASE_SECRET_KEYS as Supabase sets it for Edge Functions, a JSON object of name → key
 * (e.g. {"default":"sb_secret_…"}), or a plain comma-separated list. Only the keys are kept.
 */
function parseSecretKeys(text: string | undefined, fail: Fail): string[] {
  if (text === undefined) return [];
  const message = 'SUPABASE_SECRET_KEYS must be a JSON object of name → key or a comma-separated list of keys';
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      const values =
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.values(parsed) : [];
      const keys = values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
      return keys.length > 0 && keys.length === values.length ? keys : fail(message, []);
    } catch {
      return fail(message, []);
    }
  }
  const keys = text.split(',').map((k) => k.trim());
  return keys.every((k) => k !== '') ? keys : fail(message, []);
}
