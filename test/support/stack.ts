/**
 * A whole local stack for tests that drive the public HTTP API: a restored PGlite snapshot (or a copy of the
 * migrated PostgreSQL template through TEST_DATABASE_URL), the Stripe emulator and the server on random ports, plus helpers that
 * speak the API as a browser or an agent would.
 *
 *   const stack = await startTestStack();
 *   const { accessToken } = await stack.signUp();
 *   const org = await stack.createOrganisation(accessToken, 'Acme');
 *   const { status, json } = await stack.call('billing-summary?org_id=' + org.id, { token: accessToken });
 *   await stack.close();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { parseConfig } from '../../src/config/parse-config.ts';
import type { Config } from '../../src/config/types.ts';
import type { RunningStripeEmulator, StripeEmulatorOptions } from '@aisyst/stripe-emulator';
import { startLocalStack, type LocalStack } from '../../src/entries/node/local-stack.ts';
import type { AppContext } from '../../src/usecases/context.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { memoryLogger, type Logger } from '../../src/ports/logger.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { createScratchPostgresDatabase, migratedPgliteTemplate } from './database.ts';

export interface TestStackOptions {
  database?: 'pglite' | 'postgres';
  /** Extra environment (e.g. SUPABASE_SECRET_KEYS). PORT/STRIPE_EMULATOR_PORT default to 0. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Emulator settings, e.g. `{ webhookRetryScheduleMs: [50, 100] }`. */
  emulator?: Partial<StripeEmulatorOptions>;
  /** Run the background usage deliverer (default true). */
  deliverer?: boolean;
  /** Keep PGlite, the emulator's state and the webhook secret here (kept after close) — restart tests. Default: a temp dir, removed on close. */
  dir?: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS' | 'PATCH';
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** An object is sent as JSON; a string as is. A body makes the default method POST. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  status: number;
  json: T;
  headers: Headers;
}

export interface TestStack {
  url: string;
  sql: Sql;
  stripe: Stripe;
  emulator: RunningStripeEmulator | undefined;
  config: Config;
  ctx: AppContext;
  anonKey: string;
  serviceRoleKey: string;
  /** Every log line the stack wrote (JSON), for "no secret in the logs" checks. */
  logs: string[];
  signUp(
    email?: string,
    password?: string,
  ): Promise<{ userId: string; accessToken: string; refreshToken: string; email: string }>;
  createOrganisation(accessToken: string, name?: string): Promise<{ id: string; name: string; owner_id: string }>;
  /** `path`: 'plans', 'billing-summary?org_id=…' (under /functions/v1/) or an absolute path like '/health'. */
  call<T = any>(path: string, options?: CallOptions): Promise<CallResult<T>>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const cleanup: Array<() => Promise<void>> = [];
  const tempDir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'aisyst-stack-')));
  if (!opts.dir) cleanup.push(() => rm(tempDir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    PORT: '0',
    STRIPE_EMULATOR_PORT: '0',
    PGLITE_DIR: join(tempDir, 'pglite'),
    ...opts.env,
  };
  if (opts.database === 'postgres') {
    // A copy of the migrated template: the stack's own migrate then finds every migration applied.
    const scratch = await createScratchPostgresDatabase(undefined, { migrated: true });
    cleanup.push(() => scratch.drop());
    env.DATABASE_URL = scratch.url;
  }
  const logger: Logger & { lines: string[] } = memoryLogger();
  let stack: LocalStack;
  try {
    // A fresh PGlite data dir costs an initdb and every migration; a restored snapshot of a migrated one is much
    // faster. A given `dir` keeps its own persisted database instead (restart tests).
    const sql =
      opts.database !== 'postgres' && !opts.dir
        ? await openPglite({ loadDataDir: await migratedPgliteTemplate() })
        : undefined;
    stack = await startLocalStack(parseConfig(env), {
      ...(sql ? { sql } : {}),
      logger,
      stateDir: tempDir,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.emulator ? { emulator: opts.emulator } : {}),
      ...(opts.deliverer === false ? { deliverer: false } : {}),
    });
  } catch (err) {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    throw err;
  }
  const { url, config } = stack;

  async function call<T>(path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    const target = path.startsWith('/') ? `${url}${path}` : `${url}/functions/v1/${path}`;
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(target, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, json: json as T, headers: res.headers };
  }

  return {
    url,
    sql: stack.sql,
    stripe: stack.stripe,
    emulator: stack.emulator,
    config,
    ctx: stack.ctx,
    anonKey: config.auth.anonKey,
    serviceRoleKey: config.auth.serviceRoleKey,
    logs: logger.lines,
    call,
    async signUp(
      email = `user${++counter}.${process.pid}.${Date.now()}@example.com`,
      password = 'correct horse battery staple',
    ) {
      const res = await call<{ access_token: string; refresh_token: string; user: { id: string } }>('/auth/v1/signup', {
        body: { email, password },
        headers: { apikey: config.auth.anonKey },
      });
      if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.json)}`);
      return {
        userId: res.json.user.id,
        accessToken: res.json.access_token,
        refreshToken: res.json.refresh_token,
        email,
      };
    },
    async createOrganisation(accessToken, name = 'Acme Voice Ltd') {
      const res = await call<{ id: string; name: string; owner_id: string }>('organisations', {
        token: accessToken,
        body: { name },
      });
      if (res.status !== 201)
        throw new Error(`creating the organisation failed: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json;
    },
    async close() {
      await stack.close();
      for (const step of cleanup.reverse()) await step().catch(() => {});
    },
  };
}
