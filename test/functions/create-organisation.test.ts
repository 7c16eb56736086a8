/**
 * Creating an organisation is idempotent by (owner, name): twins of one request, however many at once, leave one
 * organisation; another owner, or another name, is another organisation.
 */
import { expect, it } from 'vitest';
import { findOwnedOrganisations } from '../../src/repositories/organisations.ts';
import { createOrganisation } from '../../src/usecases/create-organisation.ts';
import { describeEachDatabase, describePostgresOnly } from '../support/database.ts';

const newUser = async (sql: { query: <T>(q: string, p?: unknown[]) => Promise<T[]> }) =>
  (
    await sql.query<{ id: string }>(`insert into auth.users (email) values ($1) returning id`, [
      `u-${crypto.randomUUID()}@example.test`,
    ])
  )[0]!.id;

describeEachDatabase('creating an organisation', (db) => {
  it('a repeat returns the first organisation; another name or another owner creates anew', async () => {
    const owner = await newUser(db.sql);
    const first = await createOrganisation(db, { ownerId: owner, name: 'Acme' });
    expect(first.created).toBe(true);
    expect(await createOrganisation(db, { ownerId: owner, name: 'Acme' })).toEqual({
      organisation: first.organisation,
      created: false,
    });
    expect((await createOrganisation(db, { ownerId: owner, name: 'Acme Labs' })).created).toBe(true);
    const someoneElse = await newUser(db.sql);
    expect((await createOrganisation(db, { ownerId: someoneElse, name: 'Acme' })).created).toBe(true);
    expect(await findOwnedOrganisations(db.sql, owner)).toHaveLength(2);
  });
});

describePostgresOnly('creating an organisation, twins racing', (db) => {
  it('20 concurrent identical requests create one organisation and all answer it', async () => {
    const pool = await db.connect({ max: 20 });
    const owner = await newUser(db.sql);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => createOrganisation({ sql: pool }, { ownerId: owner, name: 'Acme Race' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.organisation.id)).size).toBe(1);
    expect(await findOwnedOrganisations(db.sql, owner)).toHaveLength(1);
  });
});
