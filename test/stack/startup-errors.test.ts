/**
 * Start-up that cannot succeed stops at once with one line naming the variable at fault, and "(from .env)" when
 * `.env` set it (issue 8 §12, §13). Every server here is local: a TCP port that accepts and never answers, a
 * closed port, a host under `.invalid` (never resolves), and the emulator refusing a key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { runCli } from './cli-process.ts';

/** Nothing from this machine's environment decides where the CLI connects. */
const CLEAN = {
  DATABASE_URL: undefined,
  PGLITE_DIR: undefined,
  STRIPE_SECRET_KEY: undefined,
  STRIPE_API_BASE: undefined,
  STRIPE_WEBHOOK_SECRET: undefined,
  PORT: '0',
  STRIPE_EMULATOR_PORT: '0',
};

let cwd: string;
let silent: Server;
const sockets: Socket[] = [];
let silentPort: number;
let closedPort: number;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'aisyst-startup-'));
  // Accepts every connection and never says a word, like a firewalled or hung database host.
  silent = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  silentPort = await listen(silent);
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => silent.close(r));
  await rm(cwd, { recursive: true, force: true });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** Each case in its own working directory, with the given .env (or none). */
async function inDir(name: string, dotEnv?: string): Promise<string> {
  const dir = join(cwd, name);
  await rm(dir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  if (dotEnv !== undefined) await writeFile(join(dir, '.env'), dotEnv);
  return dir;
}

describe('a database that cannot be reached', () => {
  it('npm start: a host that never answers stops after the connect timeout, naming DATABASE_URL', async () => {
    const { code, output } = await runCli(
      ['start'],
      { ...CLEAN, DATABASE_URL: `postgres://postgres:pw-not-printed@127.0.0.1:${silentPort}/aisyst?connect_timeout=1` },
      await inDir('silent'),
    );
    expect(code).toBe(1);
    expect(output).toContain(
      `aisyst-billing start: DATABASE_URL: PostgreSQL at 127.0.0.1:${silentPort}/aisyst did not answer within 1 s`,
    );
    expect(output).not.toContain('pw-not-printed');
  });

  it('migrate: the same host stops migrate the same way', async () => {
    const { code, output } = await runCli(
      ['migrate'],
      { ...CLEAN, DATABASE_URL: `postgres://postgres@127.0.0.1:${silentPort}/aisyst?connect_timeout=1` },
      await inDir('silent-migrate'),
    );
    expect(code).toBe(1);
    expect(output).toContain(
      `aisyst-billing migrate: DATABASE_URL: PostgreSQL at 127.0.0.1:${silentPort}/aisyst did not answer within 1 s`,
    );
  });

  it('a refused connection names DATABASE_URL, and says when .env set it', async () => {
    const { code, output } = await runCli(
      ['start'],
      CLEAN,
      await inDir('refused', `DATABASE_URL=postgres://postgres@127.0.0.1:${closedPort}/aisyst\n`),
    );
    expect(code).toBe(1);
    expect(output).toContain(
      `DATABASE_URL (from .env): PostgreSQL at 127.0.0.1:${closedPort}/aisyst refused the connection`,
    );
  });

  it('an unknown host names DATABASE_URL and the host, never the password', async () => {
    const { code, output } = await runCli(
      ['start'],
      { ...CLEAN, DATABASE_URL: 'postgres://postgres:pw-not-printed@db.aisyst.invalid:5432/aisyst' },
      await inDir('unknown-host'),
    );
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL: the host "db.aisyst.invalid"');
    expect(output).not.toContain('pw-not-printed');
  });

  it('an sslmode PostgreSQL does not know is a configuration error naming DATABASE_URL', async () => {
    const { code, output } = await runCli(
      ['start'],
      { ...CLEAN, DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/aisyst?sslmode=requird` },
      await inDir('sslmode'),
    );
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL has sslmode=requird, which is not one of disable, allow, prefer, require');
  });
});

describe('a Stripe key the API rejects', () => {
  let emulator: RunningStripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('stops npm start naming STRIPE_SECRET_KEY and where it was set, never printing the key, before the database', async () => {
    // The emulator accepts secret keys (sk_test_, sk_live_) only, and answers anything else 401 as Stripe answers a
    // revoked key.
    const dir = await inDir('stripe-key', 'STRIPE_SECRET_KEY=rk_test_revokedKeyNotPrinted\n');
    const { code, output } = await runCli(
      ['start'],
      { ...CLEAN, STRIPE_API_BASE: emulator.url, DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/aisyst` },
      dir,
    );
    expect(code).toBe(1);
    expect(output).toContain(
      `aisyst-billing start: STRIPE_SECRET_KEY (from .env): the Stripe API at STRIPE_API_BASE (${emulator.url}) rejected the key (HTTP 401)`,
    );
    expect(output).not.toContain('revokedKeyNotPrinted');
    expect(output).not.toContain('refused the connection');
  });

  it('stops npm start with a live key too, which makes no other Stripe call at start', async () => {
    const { code, output } = await runCli(
      ['start'],
      {
        ...CLEAN,
        STRIPE_SECRET_KEY: 'rk_live_revokedKeyNotPrinted',
        STRIPE_API_BASE: emulator.url,
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/aisyst`,
        SUPABASE_ANON_KEY: 'eyJproject.anon.key',
        SUPABASE_JWT_SECRET: 'the-project-jwt-secret-of-at-least-32-chars',
      },
      await inDir('stripe-live-key'),
    );
    expect(code).toBe(1);
    expect(output).toContain('aisyst-billing start: STRIPE_SECRET_KEY: the Stripe API at STRIPE_API_BASE');
    expect(output).not.toContain('revokedKeyNotPrinted');
  });
});

describe('a live Stripe key with the local stack', () => {
  it('is a configuration error naming the public demo keys it would serve, before anything starts', async () => {
    const { code, output } = await runCli(
      ['start'],
      {
        ...CLEAN,
        STRIPE_SECRET_KEY: 'sk_live_notPrinted',
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/aisyst`,
      },
      await inDir('live'),
    );
    expect(code).toBe(1);
    expect(output).toMatch(
      /Invalid configuration \(2 problems\):\n- SUPABASE_ANON_KEY must be the project's own anon key[^\n]*\n- SUPABASE_JWT_SECRET must be set/,
    );
    expect(output).not.toContain('refused the connection'); // stopped before connecting to anything
    expect(output).not.toContain('notPrinted');
  });
});
