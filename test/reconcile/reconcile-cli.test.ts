/**
 * `aisyst-billing reconcile` as an operator runs it: against a separately started emulator and a PGlite directory,
 * and (with PostgreSQL) against a whole stack's database and emulator where one customer's meter drifted. Most
 * runs are `main` in this process; the refusals, --help and the drift table run the binary (test/stack/cli-process.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import { restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { type Customer, reportCall, signUpWithOrganisation, startWorld, subscribe } from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';
import { runCli, runCliInProcess } from '../stack/cli-process.ts';
import { advanceClockTo, deliveredExcept, meterEventBehindOurBack } from './support.ts';

let emulator: RunningStripeEmulator;
let dir: string;

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
    await restoreMigratedPgliteDir(env.PGLITE_DIR); // as `migrate` leaves it
    // The call was sent moments ago: its 10 minutes are "settling", yet 7 minutes above the ledger are still drift.
    const table = await runCliInProcess(['reconcile', '--since', '2026-11-01'], env);
    expect(table).toMatchObject({ code: 0 });
    expect(table.output).toMatch(/no cycles\n\n0 cycle\(s\), 0 with drift, 0 unresolved/);
    const json = await runCliInProcess(['reconcile', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.output.slice(json.output.indexOf('{')))).toMatchObject({ unresolved: 0, cycles: [] });
  }, 60_000);

  it('refuses an unknown option and a bad --since with exit 2 and the usage', async () => {
    const env = { STRIPE_API_BASE: emulator.url, PGLITE_DIR: join(dir, 'pglite') };
    const [unknown, since] = await Promise.all([
      runCli(['reconcile', '--fix'], env),
      runCli(['reconcile', '--since', 'last week'], env),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/unknown option '--fix'[\s\S]*usage: aisyst-billing reconcile/);
    expect(since.code).toBe(2);
    expect(since.output).toMatch(/--since 'last week' is neither an ISO date nor Nd/);
  });

  it('--help says which cases --repair fixes', async () => {
    const help = await runCli(['reconcile', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/--repair[\s\S]*resend[\s\S]*cancel, by identifier[\s\S]*needs a person/);
  });
});

if (!process.env.TEST_DATABASE_URL && (process.env.CI === 'true' || process.env.CI === '1')) {
  it('needs PostgreSQL', () => {
    throw new Error('CI=true but TEST_DATABASE_URL is not set (docs/conventions.md#tests)');
  });
}

describeOnPostgres('aisyst-billing reconcile on a stack with drift [postgres]', () => {
  let stack: TestStack;
  let rogue: Customer;
  beforeAll(async () => {
    stack = await startWorld({ database: 'postgres' });
    rogue = await signUpWithOrganisation(stack, 'CLI Drift Ltd');
    await subscribe(stack, rogue, 'Starter', 'monthly');
    await advanceClockTo(stack, rogue, '2026-11-20T00:00:00Z');
    await reportCall(stack, rogue, 'cli-1', 10, '2026-11-15T10:00:00Z');
    await deliveredExcept(stack, []);
    await meterEventBehindOurBack(stack, rogue, 'cli-not-ours', 7, '2026-11-18T10:00:00Z');
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('prints the drifting cycle in the table and exits 1; --json carries the same row', async () => {
    if (stack.config.database.kind !== 'postgres') throw new Error('expected a PostgreSQL stack');
    const env = { DATABASE_URL: stack.config.database.url, STRIPE_API_BASE: stack.emulator!.url };
    // The call was sent moments ago: its 10 minutes are "settling", yet 7 minutes above the ledger are still drift.
    const table = await runCli(['reconcile', '--since', '2026-11-01'], env);
    expect(table.code).toBe(1);
    expect(table.output).toMatch(
      new RegExp(
        `2026-11-01\\.\\.2026-12-01\\s+${rogue.customerId}\\s+10\\s+10\\s+17\\s+-\\s+\\+7\\s+0\\s+drift\\s+Stripe's meter holds 7 min more than the ledger`,
      ),
    );
    expect(table.output).toMatch(/1 cycle\(s\), 1 with drift, 1 unresolved/);
    const json = await runCliInProcess(['reconcile', '--since', '2026-11-01', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.output.slice(json.output.indexOf('{'))).cycles).toEqual([
      expect.objectContaining({ stripe_customer_id: rogue.customerId, meter_difference_minutes: 7, status: 'drift' }),
    ]);
  });
});
