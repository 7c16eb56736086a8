/**
 * The Sql port on PGlite: real PostgreSQL compiled to WASM, in-process (docs/design.md#supabase). One connection, one
 * transaction at a time: PGlite queues every query/exec/transaction behind one mutex, so a query issued
 * while another caller's transaction is open waits for it instead of joining it.
 *
 * Values come back as PGlite parses them: int2/int4/float → number, int8 → number (bigint beyond 2^53),
 * numeric → string (exact), timestamptz/date → Date, json/jsonb → parsed. The postgres.js adapter matches.
 *
 * A data directory must never be opened by two PGlite instances (two processes, or twice in one process):
 * both would write the same files and corrupt them. A lock file next to the directory (`<dir>.lock`, holding
 * the owner's pid) detects it. It sits beside, not inside, the directory because PGDATA must stay PGlite's.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Sql } from '../../ports/sql.ts';

export interface PgliteSql extends Sql {
  readonly dialect: 'pglite';
  /** The instance itself: tests use it for `dumpDataDir()`. */
  readonly pglite: PGlite;
}

export interface OpenPgliteOptions {
  /** Persist here (created if missing). Unset → in memory. */
  dataDir?: string;
  /** Start from a `dumpDataDir()` tarball (an in-memory copy of a migrated database, for tests). */
  loadDataDir?: Blob | File;
}

export async function openPglite(options: OpenPgliteOptions = {}): Promise<PgliteSql> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const release = dataDir === undefined ? () => {} : lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
    });
  } catch (error) {
    release();
    throw error;
  }
  return {
    ...sqlOn(pglite),
    dialect: 'pglite',
    pglite,
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        release();
      }
    },
  };
}

type PgliteTx = Parameters<Parameters<PGlite['transaction']>[0]>[0];

/** `query` and `exec` read the same on the instance and inside a transaction: PGlite gives both that API. */
function statementsOn(target: Pick<PgliteTx, 'query' | 'exec'>): Pick<PgliteSql, 'dialect' | 'query' | 'exec'> {
  return {
    dialect: 'pglite',
    async query<Row>(text: string, params: readonly unknown[] = []) {
      return (await target.query<Row>(text, [...params])).rows;
    },
    async exec(text: string) {
      await target.exec(text);
    },
  };
}

function sqlOn(pglite: PGlite): Omit<PgliteSql, 'pglite' | 'close'> {
  return {
    ...statementsOn(pglite),
    transaction: (work) => pglite.transaction((tx) => work(txSql(tx, 0))),
  };
}

/** Inside a transaction; a nested `transaction` is a savepoint, so that its failure undoes only its own work. */
function txSql(tx: PgliteTx, depth: number): Sql {
  return {
    ...statementsOn(tx),
    async transaction(work) {
      const name = `sp_${depth + 1}`;
      await tx.exec(`savepoint ${name}`);
      try {
        const result = await work(txSql(tx, depth + 1));
        await tx.exec(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await tx.exec(`rollback to savepoint ${name}`);
        throw error;
      }
    },
    async close() {
      throw new Error('close() the database, not a transaction');
    },
  };
}

const lockedInThisProcess = new Set<string>();

/** Takes the data dir's lock or throws a message that says who holds it. Returns the release function. */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  if (lockedInThisProcess.has(dataDir)) {
    throw new Error(
      `PGlite data directory ${dataDir} is already open in this process; open it once and share the instance`,
    );
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      lockedInThisProcess.add(dataDir);
      return () => {
        lockedInThisProcess.delete(dataDir);
        rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `PGlite data directory ${dataDir} is in use by process ${holder} (lock file ${lockFile}). ` +
            'Stop that process (e.g. the running `npm start`) or set DATABASE_URL / PGLITE_DIR to another database.',
        );
      }
      // A lock left behind by a process that died (or by this pid in an earlier life): take it over.
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
