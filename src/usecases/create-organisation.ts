/** A signed-in user creates an organisation they own (the pages do this on first sign-in). */
import { AppError } from '../errors.ts';
import type { Sql } from '../ports/sql.ts';
import { insertOrganisation, type Organisation } from '../repositories/organisations.ts';

export const ORGANISATION_NAME_MAX = 200;

export async function createOrganisation(deps: { sql: Sql }, input: { ownerId: string; name: string }): Promise<Organisation> {
  try {
    return await insertOrganisation(deps.sql, input);
  } catch (err) {
    // auth.users is the foreign key's target: a valid token for a user deleted since is not a server fault.
    if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503') {
      throw new AppError('unauthorized', 'Your user account no longer exists. Sign in again.', {}, { cause: err });
    }
    throw err;
  }
}
