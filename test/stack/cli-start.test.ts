/**
 * `aisyst-billing start` as a user runs it (`npm start` = `node bin/aisyst-billing.mjs start`): it prints its URLs,
 * answers /health, refuses clearly what it cannot do (a taken port, a data directory in use) and stops on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startCli(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['bin/aisyst-billing.mjs', 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(running: Running, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = running.output().match(pattern);
    if (match) return match;
    const done = await Promise.race([
      running.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 100)),
    ]);
    if (done) throw new Error(`the CLI exited before printing ${pattern}:\n${running.output()}`);
  }
}

describe('aisyst-billing start', () => {
  let dir: string;
  let first: Running;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisyst-cli-'));
    // Pages already built or not, the API must not wait for them.
    first = startCli({ PORT: '0', STRIPE_EMULATOR_PORT: '0', PGLITE_DIR: join(dir, 'pglite') });
    url = (await waitFor(first, /health\s+(http:\/\/\S+)\/health/))[1]!;
  });

  afterAll(async () => {
    if (first?.child.exitCode === null) first.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its URLs and the local keys, and answers /health', async () => {
    const out = first.output();
    expect(out).toMatch(/functions\s+http:\/\/127\.0\.0\.1:\d+\/functions\/v1/);
    expect(out).toMatch(/anon key\s+eyJ/);
    expect(out).not.toContain('EGIM96RAZx35lJzdJsyH'); // the service-role key's signature: shortened, never printed whole
    const res = await fetch(`${url}/health`);
    expect(await res.json()).toEqual({ ok: true, database: 'pglite', stripe: 'emulator' });
  });

  it('refuses a data directory another process holds, saying so', async () => {
    const second = startCli({ PORT: '0', STRIPE_EMULATOR_PORT: '0', PGLITE_DIR: join(dir, 'pglite') });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);
  });

  it('refuses a port in use, naming the variable to change', async () => {
    const port = new URL(url).port;
    const second = startCli({ PORT: port, STRIPE_EMULATOR_PORT: '0', PGLITE_DIR: join(dir, 'other') });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Port ${port} is in use — set PORT=`);
  });

  it('stops cleanly on SIGINT', async () => {
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('stopped.');
  });
});

describe('aisyst-billing start with a bad configuration', () => {
  it('names every problem and exits 1', async () => {
    const bad = startCli({ PORT: 'eighty', DATABASE_URL: 'mysql://nope', STRIPE_SECRET_KEY: 'pk_test_123' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*STRIPE_SECRET_KEY/);
  });
});
