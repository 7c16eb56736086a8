/**
 * `aisyst-billing operators add|remove|list` as an operator runs it, on a PGlite directory. The add/list/remove
 * story runs the CLI in this process; the refusals run the binary (test/stack/cli-process.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { restoreEmptyPgliteDir, restoreMigratedPgliteDir } from '../support/pglite-snapshots.ts';
import { runCli, runCliInProcess } from '../stack/cli-process.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aisyst-operators-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aisyst-billing operators', () => {
  it('on a database never migrated, says to migrate first: exit 1, one line, no stack trace, no database created', async () => {
    const neverMigrated = join(dir, 'never-migrated');
    const result = await runCli(['operators', 'add', 'ops@example.com'], { PGLITE_DIR: neverMigrated });
    expect(result.code).toBe(1);
    expect(result.output).toBe(
      `aisyst-billing operators: the database is not migrated (no database in PGLITE_DIR ${neverMigrated}): run npx aisyst-billing migrate first\n`,
    );
    expect(existsSync(neverMigrated)).toBe(false); // a mistyped PGLITE_DIR leaves nothing behind

    const emptyDatabase = join(dir, 'empty');
    await restoreEmptyPgliteDir(emptyDatabase); // a database, but no tables
    const empty = await runCli(['operators', 'list'], { PGLITE_DIR: emptyDatabase });
    expect(empty.code).toBe(1);
    expect(empty.output).toMatch(
      /^aisyst-billing operators: the database is not migrated \(.*\): run npx aisyst-billing migrate first\n$/,
    );
  });

  it('adds a signed-up user by e-mail, lists, removes; an unknown e-mail is exit 1', async () => {
    const env = { PGLITE_DIR: join(dir, 'pglite') };
    await restoreMigratedPgliteDir(env.PGLITE_DIR); // as `migrate` leaves it
    const db = await openPglite({ dataDir: env.PGLITE_DIR });
    const [user] = await db.query<{ id: string }>(
      `insert into auth.users (email) values ('ops@example.com') returning id`,
    );
    await db.close();

    expect(await runCliInProcess(['operators', 'list'], env)).toMatchObject({ code: 0, output: 'no operators\n' });
    const add = await runCliInProcess(['operators', 'add', 'Ops@Example.com'], env);
    expect(add).toMatchObject({ code: 0, output: `Ops@Example.com is an operator (user ${user!.id})\n` });
    expect((await runCliInProcess(['operators', 'list'], env)).output).toMatch(
      new RegExp(`^ops@example.com\\s+${user!.id}\\n$`),
    );
    const unknown = await runCliInProcess(['operators', 'add', 'nobody@example.com'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/no user with the e-mail nobody@example.com \(they must sign up first\)/);
    expect(await runCliInProcess(['operators', 'remove', 'ops@example.com'], env)).toMatchObject({ code: 0 });
    expect(await runCliInProcess(['operators', 'list'], env)).toMatchObject({ code: 0, output: 'no operators\n' });
  }, 120_000);

  it('refuses a missing e-mail and an unknown subcommand with exit 2 and the usage', async () => {
    const [missing, unknown] = await Promise.all([
      runCli(['operators', 'add'], {}),
      runCli(['operators', 'promote', 'a@b.c'], {}),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/add needs the user's e-mail address[\s\S]*usage: aisyst-billing operators add/);
    expect(unknown.code).toBe(2);
  });
});
