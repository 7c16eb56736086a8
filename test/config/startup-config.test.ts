/**
 * What start-up checks before it connects to anything (issue 8 §12, §13): DATABASE_URL's sslmode and
 * connect_timeout, which variables came from .env, and the local stack refusing a live key with the demo keys.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  connectTimeoutSeconds,
  databaseUrlProblems,
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  isTransactionPooler,
} from '../../src/config/database-url.ts';
import { readEnvWithOrigins } from '../../src/config/dotenv.ts';
import { withOrigins } from '../../src/config/origin.ts';
import { ConfigError, DEFAULT_SUPABASE_ANON_KEY, parseConfig } from '../../src/config/parse-config.ts';

const LIVE = { STRIPE_SECRET_KEY: 'sk_live_abc', DATABASE_URL: 'postgresql://u:p@db.example.com:6543/postgres' };

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('DATABASE_URL parameters', () => {
  it('waits 10 s for a connection unless the URL says connect_timeout=<seconds>', () => {
    expect(DEFAULT_CONNECT_TIMEOUT_SECONDS).toBe(10);
    expect(connectTimeoutSeconds('postgres://h/db')).toBe(10);
    expect(connectTimeoutSeconds('postgres://h/db?connect_timeout=3')).toBe(3);
  });

  it('prepares statements except behind a transaction-mode pooler (port 6543)', () => {
    expect(isTransactionPooler('postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:6543/postgres')).toBe(true);
    expect(isTransactionPooler('postgresql://u:p@aws-0-eu-central-1.pooler.supabase.com:5432/postgres')).toBe(false);
    expect(isTransactionPooler('postgres://postgres@127.0.0.1:5432/test')).toBe(false);
    expect(isTransactionPooler('postgres://db.example.com/postgres')).toBe(false);
    expect(isTransactionPooler('not a url')).toBe(false);
  });

  it('refuses an unknown sslmode and a connect_timeout that is not whole seconds, naming the variable', () => {
    expect(databaseUrlProblems('postgres://h/db?sslmode=require&connect_timeout=5')).toEqual([]);
    expect(databaseUrlProblems('postgres://h/db?sslmode=on')).toEqual([
      'DATABASE_URL has sslmode=on, which is not one of disable, allow, prefer, require, verify-ca, verify-full',
    ]);
    expect(databaseUrlProblems('postgres://h/db?connect_timeout=0.5', 'TEST_DATABASE_URL')).toEqual([
      'TEST_DATABASE_URL has a connect_timeout that is not a whole number of seconds (1 or more)',
    ]);
    expect(problemsOf(() => parseConfig({ DATABASE_URL: 'postgres://h/db?sslmode=on' }))).toEqual([
      expect.stringContaining('DATABASE_URL has sslmode=on'),
    ]);
  });
});

describe('which values came from .env', () => {
  it('are the ones .env set and the environment did not override', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisyst-env-'));
    try {
      await writeFile(
        join(dir, '.env'),
        'DATABASE_URL=postgres://from-file/db\nPORT=1\nSTRIPE_SECRET_KEY=sk_test_file\n',
      );
      const { env, fromDotEnv } = await readEnvWithOrigins(dir, { PORT: '2', STRIPE_SECRET_KEY: '' });
      expect(env).toMatchObject({
        DATABASE_URL: 'postgres://from-file/db',
        PORT: '2',
        STRIPE_SECRET_KEY: 'sk_test_file',
      });
      expect([...fromDotEnv].sort()).toEqual(['DATABASE_URL', 'STRIPE_SECRET_KEY']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('are marked in a configuration error, once per variable', () => {
    const error = new ConfigError([
      'DATABASE_URL is required when STRIPE_SECRET_KEY is a live key',
      'PORT must be a port number 0–65535',
    ]);
    expect(withOrigins(error, new Set(['STRIPE_SECRET_KEY'])).problems).toEqual([
      'DATABASE_URL is required when STRIPE_SECRET_KEY (from .env) is a live key',
      'PORT must be a port number 0–65535',
    ]);
  });
});

describe('a live Stripe key', () => {
  it('stops the local stack while it would serve the public demo anon key or sign tokens with no secret', () => {
    expect(problemsOf(() => parseConfig(LIVE, { localStack: true }))).toEqual([
      expect.stringMatching(
        /^SUPABASE_ANON_KEY must be the project's own anon key when STRIPE_SECRET_KEY is a live key/,
      ),
      expect.stringMatching(
        /^SUPABASE_JWT_SECRET must be set to the project's own when STRIPE_SECRET_KEY is a live key/,
      ),
    ]);
    expect(
      problemsOf(() =>
        parseConfig(
          { ...LIVE, SUPABASE_ANON_KEY: DEFAULT_SUPABASE_ANON_KEY, SUPABASE_JWT_SECRET: 'x'.repeat(40) },
          { localStack: true },
        ),
      ),
    ).toEqual([expect.stringMatching(/^SUPABASE_ANON_KEY/)]);
  });

  it("starts the local stack with the project's own keys, and stays allowed in deployed functions (no local Auth there)", () => {
    const own = { ...LIVE, SUPABASE_ANON_KEY: 'eyJ.project.anon', SUPABASE_JWT_SECRET: 'p'.repeat(40) };
    expect(parseConfig(own, { localStack: true }).stripe.mode).toBe('live');
    expect(parseConfig(LIVE).stripe.mode).toBe('live');
  });
});
