/**
 * On PostgreSQL (not behind a transaction pooler) a query with parameters is a named prepared statement, made once
 * per connection and reused: one round trip per query instead of a describe first (src/adapters/db/postgres.ts).
 */
import { expect, it } from 'vitest';
import { describePostgresOnly } from '../support/database.ts';

describePostgresOnly('prepared statements', (db) => {
  it('a repeated query with parameters is prepared once on its connection and then reused', async () => {
    const sql = await db.connect({ max: 1 });
    try {
      const statement = `select $1::int + 1 as next -- prepared-statements test`;
      for (const n of [1, 2, 3]) expect(await sql.query(statement, [n])).toEqual([{ next: n + 1 }]);
      const prepared = await sql.query<{ statement: string }>(
        `select statement from pg_prepared_statements where statement like '%prepared-statements test'
            and statement not like '%pg_prepared_statements%'`,
      );
      expect(prepared).toHaveLength(1);
    } finally {
      await sql.close();
    }
  });
});
