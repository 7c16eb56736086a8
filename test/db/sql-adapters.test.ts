/** The two Sql adapters behave alike, so that one repository suite holds on both (kysely's approach). */
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import { openPglite } from '../../src/adapters/db/pglite.ts';
import { describeEachDatabase } from '../support/database.ts';

describeEachDatabase('Sql adapter', (db) => {
  it('parses values alike: int → number, bigint → number, numeric → exact string, timestamptz → Date, jsonb → object', async () => {
    const [row] = await db.sql.query(
      `select 1::int as i, count(*) as n, 12.345::numeric(12,3) as d, 9007199254740993::int8 as huge,
              '2026-11-01T00:00:00Z'::timestamptz as t, $1::jsonb as j, true as b, null::text as nothing`,
      [{ minutes: 2, nested: { ok: true } }],
    );
    expect(row).toEqual({
      i: 1,
      n: 1,
      d: '12.345',
      huge: 9007199254740993n,
      t: new Date('2026-11-01T00:00:00Z'),
      j: { minutes: 2, nested: { ok: true } },
      b: true,
      nothing: null,
    });
  });

  it('takes Dates, arrays and nulls as parameters', async () => {
    const [row] = await db.sql.query<{ t: Date; a: string[]; n: null }>(
      'select $1::timestamptz as t, $2::text[] as a, $3::text as n',
      [new Date('2026-11-30T23:59:59.999Z'), ['a', 'b,c', 'd"e'], null],
    );
    expect(row).toEqual({ t: new Date('2026-11-30T23:59:59.999Z'), a: ['a', 'b,c', 'd"e'], n: null });
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.sql.exec('create table t_commit (v int); insert into t_commit values (1)');
    await db.sql.transaction(async (tx) => {
      await tx.query('insert into t_commit values (2)');
    });
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query('insert into t_commit values (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.sql.query('select v from t_commit order by v')).toEqual([{ v: 1 }, { v: 2 }]);
  });

  it('nests a transaction as a savepoint: its failure undoes only its own work', async () => {
    await db.sql.exec('create table t_savepoint (v int)');
    await db.sql.transaction(async (tx) => {
      await tx.query('insert into t_savepoint values (1)');
      await expect(
        tx.transaction(async (inner) => {
          await inner.query('insert into t_savepoint values (2)');
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await tx.transaction((inner) => inner.query('insert into t_savepoint values (3)'));
    });
    expect(await db.sql.query('select v from t_savepoint order by v')).toEqual([{ v: 1 }, { v: 3 }]);
  });

  it('reports database errors with the server message, and its dialect', async () => {
    await expect(db.sql.query('select 1 / 0')).rejects.toThrow(/division by zero/);
    expect(db.sql.dialect).toBe(db.dialect);
  });
});

describe('PGlite data directory', () => {
  it('persists across opens and refuses a second opener while the first holds it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aisyst-pglite-')), 'data');
    const first = await openDatabase({ kind: 'pglite', dir });
    await first.exec('create table kept (v text); insert into kept values ($$still here$$)');
    await expect(openPglite({ dataDir: dir })).rejects.toThrow(/already open in this process/);
    await first.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);

    const again = await openPglite({ dataDir: dir });
    expect(await again.query('select v from kept')).toEqual([{ v: 'still here' }]);
    await again.close();
  });

  it('names the process that holds the directory when another process opens it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aisyst-pglite-')), 'data');
    const { spawn } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    // A live process other than this one "holds" the lock (as a running `npm start` would).
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${dir}.lock`, String(holder.pid));
      await expect(openPglite({ dataDir: dir })).rejects.toThrow(new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock left behind by a process that is gone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'aisyst-pglite-')), 'data');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}.lock`, '2147483646'); // no such pid
    const sql = await openPglite({ dataDir: dir });
    expect(await sql.query('select 1 as one')).toEqual([{ one: 1 }]);
    await sql.close();
  });
});
