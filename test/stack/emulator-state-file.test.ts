/**
 * The emulator's state file on a fresh checkout (issue 8 §2): `npm start` with DATABASE_URL and STRIPE_WEBHOOK_SECRET
 * has no .data/ folder yet, and the first state write used to reject (ENOENT) and kill the whole process. The
 * folder is created on demand, and a write that fails anyway is logged and retried with the next change.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { startStripeEmulator } from '@aisyst/stripe-emulator';
import { saveDelayMs, stateSaver } from '@aisyst/stripe-emulator/persistence';
import { emptyState } from '@aisyst/stripe-emulator/store';
import { memoryLogger } from '../../src/ports/logger.ts';
import { createScratchPostgresDatabase, describePostgresOnly } from '../support/database.ts';
import { spawnCli, waitForOutput } from './cli-process.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aisyst-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('the emulator state file', () => {
  it('waits 20 times as long as the last write took before the next one, so saving stays a small share of the work', () => {
    expect(saveDelayMs(0)).toBe(200);
    expect(saveDelayMs(5)).toBe(200);
    expect(saveDelayMs(50)).toBe(1_000); // a 9 MB state takes about 50 ms to write
    expect(saveDelayMs(400)).toBe(8_000);
  });

  it('is written into a folder that does not exist yet', async () => {
    const file = join(await tempDir(), '.data', 'nested', 'stripe-emulator.json');
    const emulator = await startStripeEmulator({ port: 0, stateFile: file });
    const stripe = new Stripe('sk_test_emulator', {
      host: emulator.host,
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const customer = await stripe.customers.create({ email: 'fresh@x.test' });
    await emulator.close();
    expect(await readFile(file, 'utf8')).toContain(customer.id);
  });

  it('survives a failed write: one error line, and the next change writes the whole state', async () => {
    const dir = await tempDir();
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file where the state folder should be');
    const file = join(blocker, 'stripe-emulator.json');
    const logger = memoryLogger();
    const saver = stateSaver(file, logger);
    const state = emptyState();

    await expect(saver.flush(state)).resolves.toBeUndefined();
    await expect(saver.flush(state)).resolves.toBeUndefined();
    const errors = logger.lines.filter((l) => JSON.parse(l).level === 'error');
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({
      msg: expect.stringContaining('could not save the emulator state'),
      file,
    });

    await rm(blocker);
    (state as { marker?: string }).marker = 'after the failure';
    await saver.flush(state);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ marker: 'after the failure' });
    expect(logger.lines.at(-1)).toContain('emulator state saved again');
  });
});

describePostgresOnly('npm start on a fresh checkout with DATABASE_URL and STRIPE_WEBHOOK_SECRET', () => {
  it('creates .data/ for the emulator state and keeps serving', async () => {
    const cwd = await tempDir(); // a working directory without .data/, as after git clone
    const database = await createScratchPostgresDatabase();
    const cli = spawnCli(
      ['start'],
      {
        DATABASE_URL: database.url,
        STRIPE_WEBHOOK_SECRET: 'whsec_fresh_checkout',
        PORT: '0',
        STRIPE_EMULATOR_PORT: '0',
        PGLITE_DIR: undefined,
        STRIPE_SECRET_KEY: undefined,
      },
      cwd,
    );
    try {
      const url = (await waitForOutput(cli, /health\s+(http:\/\/\S+)\/health/))[1]!;
      const stateFile = join(cwd, '.data', 'stripe-emulator.json');
      // The catalog sync changed the emulator's state: wait for the debounced write (or the crash it used to be).
      while (
        !(await stat(stateFile).then(
          () => true,
          () => false,
        ))
      ) {
        if (cli.child.exitCode !== null) throw new Error(`npm start died:\n${cli.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true, database: 'postgres' });
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      expect(cli.output()).not.toContain('ENOENT');
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await cli.exited;
      await database.drop();
    }
  });
});
