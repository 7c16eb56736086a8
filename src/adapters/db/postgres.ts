/**
 * The Sql port on PostgreSQL through postgres.js (plain PostgreSQL, Supabase direct or pooled).
 *
 * Named prepared statements except behind a transaction pooler (`isTransactionPooler`: Supavisor on port 6543 hands
 * each transaction to any server connection, where a statement prepared in an earlier one does not exist). Without
 * them postgres.js describes every query with parameters before running it: two round trips instead of one, which
 * made up much of report-usage's socket time under load (issue 13 §0).
 *
 * Values are parsed to match the PGlite adapter, so that one repository suite passes on both:
 * int2/int4/float → number; int8 (count(*), sum(int)) → number, or bigint beyond 2^53 (postgres.js's default
 * is a string); numeric → string (exact; convert explicitly); timestamptz/date → Date; json/jsonb → parsed.
 * Parameters are typed by the server's description of the statement (postgres.js describes each statement once
 * when it prepares it, and every time without), so a `$1::jsonb` parameter takes a plain object as on PGlite.
 */
import postgres from 'postgres';
import { connectTimeoutSeconds, isTransactionPooler } from '../../config/database-url.ts';
import type { Sql } from '../../ports/sql.ts';

export interface OpenPostgresOptions {
  /** Pool size (default 10). Race tests raise it to put many transactions in flight at once. */
  max?: number;
  /** Server notices (e.g. "relation already exists, skipping") are dropped unless a handler is given. */
  onnotice?: (notice: postgres.Notice) => void;
}

export function openPostgres(url: string, options: OpenPostgresOptions = {}): Sql {
  const prepare = !isTransactionPooler(url);
  const client = postgres(url, {
    prepare,
    max: options.max ?? 10,
    // postgres.js waits 30 s by default; a host that never answers should stop start-up sooner, with a message
    // (connection-errors.ts). `?connect_timeout=<seconds>` in the URL overrides it, as with libpq.
    connect_timeout: connectTimeoutSeconds(url),
    onnotice: options.onnotice ?? (() => {}),
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: bigint | number | string) => String(value),
        parse: (text: string) => {
          const value = BigInt(text);
          return value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)
            ? value
            : Number(value);
        },
      },
    },
  });
  return {
    ...sqlOn(client, 0, prepare),
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

// The custom `bigint` type only changes parsing; the port is untyped, so the clients are used as `any`-typed ones.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnySql = postgres.Sql<any>;
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyTx = postgres.TransactionSql<any>;
type Client = AnySql | AnyTx;

function sqlOn(client: Client, depth: number, prepare: boolean): Sql {
  return {
    dialect: 'postgres',
    async query<Row>(text: string, params: readonly unknown[] = []) {
      // `unsafe` prepares nothing unless told to (postgres.js defaults it to `prepare: false`), whatever the client's
      // option says: without this every query with parameters took two round trips.
      const rows = await client.unsafe(text, params.map(toParameter) as postgres.ParameterOrJSON<never>[], {
        prepare: prepare && params.length > 0,
      });
      return [...rows] as Row[];
    },
    async exec(text: string) {
      // The simple query protocol: several statements in one round trip, no parameters.
      await client.unsafe(text).simple();
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      const run = (tx: AnyTx) => work(sqlOn(tx, depth + 1, prepare));
      // postgres.js's own types make begin/savepoint return UnwrapPromiseArray<T>; for a plain T they are T.
      if (depth === 0) return (await (client as AnySql).begin(run)) as T;
      return (await (client as AnyTx).savepoint(run)) as T;
    },
    async close() {
      if (depth > 0) throw new Error('close() the database, not a transaction');
    },
  };
}

function toParameter(value: unknown): unknown {
  return value === undefined ? null : value;
}
