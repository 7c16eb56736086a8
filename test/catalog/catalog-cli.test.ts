/** `aisyst-billing catalog sync` as an operator runs it, against a separately started emulator (STRIPE_API_BASE). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';

const ROOT = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

let emulator: RunningStripeEmulator;
let dir: string;

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/aisyst-billing.mjs', 'catalog', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  emulator = await startStripeEmulator({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'aisyst-catalog-cli-'));
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('aisyst-billing catalog sync', () => {
  it('shows a dry run, then creates, then finds everything, printing a table each time', async () => {
    const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
    const dry = await cli(['sync', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run, nothing changed/);
    expect(dry.out).toMatch(/meter\s+voice_call_minutes\s+would-create/);

    const first = await cli(['sync'], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/price\s+aisyst_setup_fee\s+created\s+price_/);
    expect(first.out).toMatch(/setup fee price: price_/);

    const second = await cli(['sync'], env);
    expect(second.code).toBe(0);
    expect(second.out).not.toMatch(/created|would-create|replaced/);
    expect(second.out.match(/\bfound\b/g)).toHaveLength(15);
  });

  it('refuses a live key without --live, before touching anything', async () => {
    const res = await cli(['sync'], {
      STRIPE_SECRET_KEY: 'sk_live_notreal',
      STRIPE_API_BASE: emulator.url,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/live key.*--live/);
  });

  it('explains usage errors', async () => {
    const res = await cli(['resync'], {});
    expect(res.code).toBe(2);
    expect(res.out).toContain('usage: aisyst-billing catalog sync');
  });
});
