/**
 * `aisyst-billing stripe-events replay` as an operator runs it: its help, its refusals, and its --since. The replay
 * story runs `main` in this process; help and refusals run the binary (test/stack/cli-process.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/cli/commands/stripe-events.ts';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';
import { runCli, runCliInProcess } from '../stack/cli-process.ts';

describe('aisyst-billing stripe-events replay', () => {
  it('explains itself with --help, and is listed in the command overview', async () => {
    const [help, overview] = await Promise.all([runCli(['stripe-events', '--help']), runCli(['--help'])]);
    expect(help.code).toBe(0);
    expect(help.output).toContain(
      'usage: aisyst-billing stripe-events replay --since <ISO date|Nd> [--dry-run] [--live]',
    );
    expect(overview.output).toMatch(/stripe-events\s+stripe-events replay/);
  });

  it('refuses a live key without --live, before touching anything', async () => {
    const res = await runCli(['stripe-events', 'replay', '--since', '3d'], {
      STRIPE_SECRET_KEY: 'sk_live_notreal',
      STRIPE_API_BASE: 'http://127.0.0.1:1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/live key.*--live/);
  });

  it('prints a table of what it applied, then finds it all processed (emulator + PGlite)', async () => {
    const emulator = await startStripeEmulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'aisyst-replay-cli-'));
    try {
      const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
      await restoreMigratedPgliteDir(env.PGLITE_DIR); // as `migrate` leaves it
      const base = new URL(emulator.url);
      const stripe = new Stripe('sk_test_local', { host: base.hostname, port: base.port, protocol: 'http' });
      await stripe.products.create({ name: 'Not ours' }); // an event we do not act on

      const dry = await runCliInProcess(['stripe-events', 'replay', '--since', '1d', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.output).toMatch(/dry run, nothing changed/);
      const first = await runCliInProcess(['stripe-events', 'replay', '--since', '1d'], env);
      expect(first.code).toBe(0);
      expect(first.output).toMatch(/created\s+type\s+id\s+status/);
      expect(first.output).toMatch(/product\.created\s+evt_\w+\s+ignored/);
      const second = await runCliInProcess(['stripe-events', 'replay', '--since', '1d'], env);
      expect(second.code).toBe(0);
      expect(second.output).toMatch(/product\.created\s+evt_\w+\s+already-processed/);
      expect(second.output).toMatch(/0 applied, \d+ already processed, 0 ignored, 0 failed/);
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('explains usage errors', async () => {
    const [missing, wrong] = await Promise.all([
      runCli(['stripe-events', 'replay']),
      runCli(['stripe-events', 'resend', '--since', '3d']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('--since is required');
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain("unknown subcommand 'resend'");
  });

  it('reads --since as an ISO date or a number of days back', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(parseSince('3d', now)).toEqual(new Date('2026-11-22T12:00:00Z'));
    expect(parseSince('2026-11-20', now)).toEqual(new Date('2026-11-20T00:00:00Z'));
    expect(parseSince('2026-11-20T08:00:00Z', now)).toEqual(new Date('2026-11-20T08:00:00Z'));
    expect(parseSince('yesterday', now)).toMatch(/neither an ISO date nor Nd/);
    expect(parseSince('2026-12-01', now)).toMatch(/in the future/);
  });
});
