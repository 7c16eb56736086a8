/**
 * A signed-in user creates an organisation they own (the pages do this on first sign-in). Idempotent by name:
 * repeating the request answers the organisation the first one made (`created: false`).
 */
import { AppError } from '../errors.ts';
import type { Sql } from '../ports/sql.ts';
import { insertOrganisationOnce, type Organisation } from '../repositories/organisations.ts';

export const ORGANISATION_NAME_MAX = 200;

export async function createOrganisation(
  deps: { sql: Sql },
  input: { ownerId: string; name: string },
): Promise<{ organisation: Organisation; created: boolean }> {
  try {
    return await insertOrganisationOnce(deps.sql, input);
  } catch (err) {
    // auth.users is the foreign key's target: a valid token for a user deleted since is not a server fault.
    if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503') {
      throw new AppError('unauthorized', 'Your user account no longer exists. Sign in again.', {}, { cause: err });
    }
    throw err;
  }
}
