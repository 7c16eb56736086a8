/**
 * The one database port every use case talks to. Small and structural (as kysely's dialect configs are),
 * so that PGlite, postgres.js and a Supabase pooler connection all fit behind it.
 *
 * Parameters are positional ($1, $2, …). Values come back as the driver parses them; code that needs an
 * exact type (bigint counters, timestamps) converts explicitly.
 */
export interface Sql {
  /** Which engine is behind the port: reported by /health and used by tests to pick race tests. */
  readonly dialect: 'pglite' | 'postgres';
  /** One statement with parameters; returns its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (migrations, fixtures), in one round trip. */
  exec(text: string): Promise<void>;
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /** Releases the connection(s). */
  close(): Promise<void>;
}
