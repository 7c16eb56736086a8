import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_SUPABASE_ANON_KEY,
  DEFAULT_SUPABASE_JWT_SECRET,
  DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
  EMULATOR_SECRET_KEY,
  parseConfig,
  stripeModeOf,
} from '../../src/config/parse-config.ts';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('parseConfig', () => {
  it('runs the whole local stack with no variables at all', () => {
    expect(parseConfig({})).toEqual({
      port: 54321,
      stripeEmulatorPort: 12111,
      database: { kind: 'pglite', dir: '.data/pglite' },
      stripe: {
        mode: 'emulator',
        secretKey: EMULATOR_SECRET_KEY,
        apiBase: undefined,
        webhookSecret: undefined,
        setupFeePriceId: undefined,
      },
      websiteUrl: 'http://127.0.0.1:54321',
      auth: {
        supabaseUrl: undefined,
        jwks: undefined,
        jwtSecret: DEFAULT_SUPABASE_JWT_SECRET,
        anonKey: DEFAULT_SUPABASE_ANON_KEY,
        serviceRoleKey: DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
        secretKeys: [],
      },
    });
    expect(EMULATOR_SECRET_KEY).toBe('sk_test_local_emulator');
  });

  it('treats empty strings as unset', () => {
    const blank = Object.fromEntries(
      [
        'PORT',
        'DATABASE_URL',
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'WEBSITE_URL',
        'SUPABASE_JWT_SECRET',
        'SUPABASE_SECRET_KEYS',
      ].map((k) => [k, '']),
    );
    expect(parseConfig(blank)).toEqual(parseConfig({}));
  });

  it('derives WEBSITE_URL from PORT and honours PGLITE_DIR', () => {
    const config = parseConfig({ PORT: '8080', PGLITE_DIR: '/tmp/pg' });
    expect(config.websiteUrl).toBe('http://127.0.0.1:8080');
    expect(config.database).toEqual({ kind: 'pglite', dir: '/tmp/pg' });
  });

  it('reads a full test-mode set-up', () => {
    const config = parseConfig({
      PORT: '3000',
      STRIPE_EMULATOR_PORT: '12112',
      DATABASE_URL: 'postgresql://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres',
      STRIPE_SECRET_KEY: 'sk_test_51Abc',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
      STRIPE_SETUP_FEE_PRICE_ID: 'price_1Setup',
      WEBSITE_URL: 'https://app.aisyst.example/',
      SUPABASE_URL: 'https://ref.supabase.co/',
      SUPABASE_JWKS: '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y","kid":"k"}]}',
      SUPABASE_JWT_SECRET: 'x'.repeat(32),
      SUPABASE_ANON_KEY: 'sb_publishable_abc',
      SUPABASE_SERVICE_ROLE_KEY: 'service-jwt',
      SUPABASE_SECRET_KEYS: '{"default":"sb_secret_one","ci":"sb_secret_two"}',
    });
    expect(config).toMatchObject({
      port: 3000,
      stripeEmulatorPort: 12112,
      database: {
        kind: 'postgres',
        url: 'postgresql://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres',
      },
      stripe: {
        mode: 'test',
        secretKey: 'sk_test_51Abc',
        webhookSecret: 'whsec_abc123',
        setupFeePriceId: 'price_1Setup',
      },
      websiteUrl: 'https://app.aisyst.example',
      auth: {
        supabaseUrl: 'https://ref.supabase.co',
        jwtSecret: 'x'.repeat(32),
        anonKey: 'sb_publishable_abc',
        serviceRoleKey: 'service-jwt',
        secretKeys: ['sb_secret_one', 'sb_secret_two'],
      },
    });
    expect(config.stripe.apiBase?.href).toBe('http://127.0.0.1:12111/');
    expect(config.auth.jwks).toContain('"keys"');
  });

  it('accepts SUPABASE_SECRET_KEYS as a comma-separated list', () => {
    expect(parseConfig({ SUPABASE_SECRET_KEYS: 'sb_secret_a, sb_secret_b' }).auth.secretKeys).toEqual([
      'sb_secret_a',
      'sb_secret_b',
    ]);
  });

  it.each([
    ['sk_test_abc', 'test'],
    ['rk_test_abc', 'test'],
    ['sk_live_abc', 'live'],
    ['rk_live_abc', 'live'],
    ['pk_test_abc', undefined],
    ['sk_prod_abc', undefined],
    ['sk_test_', undefined],
  ])('knows the Stripe mode of %s', (key, mode) => {
    expect(stripeModeOf(key)).toBe(mode);
  });

  it('a live key runs on PostgreSQL', () => {
    const env = { STRIPE_SECRET_KEY: 'sk_live_abc', DATABASE_URL: 'postgres://db.example/postgres' };
    expect(parseConfig(env).stripe.mode).toBe('live');
    expect(configError({ STRIPE_SECRET_KEY: 'rk_live_abc' }).problems).toEqual([
      'DATABASE_URL is required when STRIPE_SECRET_KEY is a live key (PGlite is for local development only)',
    ]);
  });

  it('a live key refuses the public local JWT secret and demo service-role key, naming the variable only', () => {
    const live = { STRIPE_SECRET_KEY: 'sk_live_abc', DATABASE_URL: 'postgres://db.example/postgres' };
    const error = configError({
      ...live,
      SUPABASE_JWT_SECRET: DEFAULT_SUPABASE_JWT_SECRET,
      SUPABASE_SERVICE_ROLE_KEY: DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
      SUPABASE_SECRET_KEYS: `sb_secret_real,${DEFAULT_SUPABASE_SERVICE_ROLE_KEY}`,
    });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual([
      'SUPABASE_JWT_SECRET',
      'SUPABASE_SERVICE_ROLE_KEY',
      'SUPABASE_SECRET_KEYS',
    ]);
    expect(error.message).not.toContain(DEFAULT_SUPABASE_JWT_SECRET);
    expect(error.message).not.toContain(DEFAULT_SUPABASE_SERVICE_ROLE_KEY);
  });

  it('a live key never falls back to the public defaults: unset means none', () => {
    const { auth } = parseConfig({ STRIPE_SECRET_KEY: 'rk_live_abc', DATABASE_URL: 'postgres://db.example/postgres' });
    expect(auth.jwtSecret).toBe('');
    expect(auth.serviceRoleKey).toBe('');
    const own = parseConfig({
      STRIPE_SECRET_KEY: 'sk_live_abc',
      DATABASE_URL: 'postgres://db.example/postgres',
      SUPABASE_JWT_SECRET: 'the-projects-own-jwt-secret-nobody-else-knows',
    });
    expect(own.auth.jwtSecret).toBe('the-projects-own-jwt-secret-nobody-else-knows');
  });

  it('test mode and the emulator keep the local defaults', () => {
    for (const env of [
      {},
      { STRIPE_SECRET_KEY: 'sk_test_abc' },
      { SUPABASE_JWT_SECRET: DEFAULT_SUPABASE_JWT_SECRET, STRIPE_SECRET_KEY: 'sk_test_abc' },
    ]) {
      expect(parseConfig(env).auth).toMatchObject({
        jwtSecret: DEFAULT_SUPABASE_JWT_SECRET,
        serviceRoleKey: DEFAULT_SUPABASE_SERVICE_ROLE_KEY,
      });
    }
  });

  it('names every bad variable in one error, without echoing any value', () => {
    const secrets = {
      DATABASE_URL: 'mysql://root:hunter2-db@db/app',
      STRIPE_SECRET_KEY: 'pk_live_leakedPublishable',
      STRIPE_WEBHOOK_SECRET: 'not-a-whsec-SECRET',
      SUPABASE_JWT_SECRET: 'short-secret-value',
      SUPABASE_SECRET_KEYS: '{"default": 42, "x": "sb_secret_visible"}',
    };
    const error = configError({
      PORT: 'eighty',
      STRIPE_EMULATOR_PORT: '70000',
      STRIPE_API_BASE: 'ftp://example.com',
      STRIPE_SETUP_FEE_PRICE_ID: 'prod_123',
      WEBSITE_URL: 'not a url',
      SUPABASE_URL: 'ref.supabase.co',
      SUPABASE_JWKS: '{"kty":"RSA"}',
      ...secrets,
    });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual([
      'PORT',
      'STRIPE_EMULATOR_PORT',
      'DATABASE_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_API_BASE',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_SETUP_FEE_PRICE_ID',
      'WEBSITE_URL',
      'SUPABASE_URL',
      'SUPABASE_JWKS',
      'SUPABASE_JWT_SECRET',
      'SUPABASE_SECRET_KEYS',
    ]);
    expect(error.message).toMatch(/^Invalid configuration \(12 problems\):\n- PORT /);
    for (const value of [...Object.values(secrets), 'hunter2', 'leaked', 'sb_secret_visible']) {
      expect(error.message).not.toContain(value);
    }
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });

  it.each([
    ['SUPABASE_SECRET_KEYS', 'a,,b'],
    ['SUPABASE_SECRET_KEYS', '{"default":'],
    ['SUPABASE_SECRET_KEYS', '{}'],
    ['SUPABASE_JWKS', 'not json'],
    ['PORT', '-1'],
    ['PORT', '1.5'],
    ['STRIPE_SECRET_KEY', 'sk_test_has spaces'],
  ])('refuses %s=%s', (name, value) => {
    expect(configError({ [name]: value }).problems).toHaveLength(1);
    expect(configError({ [name]: value }).problems[0]).toMatch(new RegExp(`^${name} `));
  });
});
