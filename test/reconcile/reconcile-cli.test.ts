/** `aisyst-billing reconcile` as an operator runs it: against a separately started emulator and a PGlite directory. */
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
    const { stdout, stderr } = await exec(process.execPath, ['bin/aisyst-billing.mjs', ...args], {
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
  dir = await mkdtemp(join(tmpdir(), 'aisyst-reconcile-cli-'));
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('aisyst-billing reconcile', () => {
  it('on a database without cycles: a table saying so, JSON with no cycles, exit 0', async () => {
    const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
    expect((await cli(['migrate'], env)).code).toBe(0);
    const table = await cli(['reconcile', '--since', '2026-11-01'], env);
    expect(table).toMatchObject({ code: 0 });
    expect(table.out).toMatch(/no cycles\n\n0 cycle\(s\), 0 with drift, 0 unresolved/);
    const json = await cli(['reconcile', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out.slice(json.out.indexOf('{')))).toMatchObject({ unresolved: 0, cycles: [] });
  }, 60_000);

  it('refuses an unknown option and a bad --since with exit 2 and the usage', async () => {
    const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
    const unknown = await cli(['reconcile', '--fix'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown option '--fix'[\s\S]*usage: aisyst-billing reconcile/);
    const since = await cli(['reconcile', '--since', 'last week'], env);
    expect(since.code).toBe(2);
    expect(since.out).toMatch(/--since 'last week' is neither an ISO date nor Nd/);
  });

  it('--help says which cases --repair fixes', async () => {
    const help = await cli(['reconcile', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--repair[\s\S]*resend[\s\S]*cancel, by identifier[\s\S]*needs a person/);
  });
});
