/**
 * `aisyst-billing catalog sync` as an operator runs it, against a separately started emulator (STRIPE_API_BASE).
 * The three syncs run the CLI in this process; the refusals run the binary (test/stack/cli-process.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { runCli, runCliInProcess } from '../stack/cli-process.ts';

let emulator: RunningStripeEmulator;
let dir: string;

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
    const dry = await runCliInProcess(['catalog', 'sync', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.output).toMatch(/dry run, nothing changed/);
    expect(dry.output).toMatch(/meter\s+voice_call_minutes\s+would-create/);

    const first = await runCliInProcess(['catalog', 'sync'], env);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/price\s+aisyst_setup_fee\s+created\s+price_/);
    expect(first.output).toMatch(/setup fee price: price_/);

    const second = await runCliInProcess(['catalog', 'sync'], env);
    expect(second.code).toBe(0);
    expect(second.output).not.toMatch(/created|would-create|replaced/);
    expect(second.output.match(/\bfound\b/g)).toHaveLength(15);
  });

  it('refuses a live key without --live, before touching anything', async () => {
    const res = await runCli(['catalog', 'sync'], {
      STRIPE_SECRET_KEY: 'sk_live_notreal',
      STRIPE_API_BASE: emulator.url,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/live key.*--live/);
  });

  it('explains usage errors', async () => {
    const res = await runCli(['catalog', 'resync'], {});
    expect(res.code).toBe(2);
    expect(res.output).toContain('usage: aisyst-billing catalog sync');
  });
});
