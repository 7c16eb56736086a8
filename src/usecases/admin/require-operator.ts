/**
 * The console's gate: only a signed-in user whose Supabase app_metadata.role is `operator`
 * (repositories/operators.ts). Anyone else — a customer, a stranger — gets 404 `not_found`, as if the console did
 * not exist: it is not advertised to people who cannot use it.
 */
import { AppError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { isOperator } from '../../repositories/operators.ts';

export interface Operator {
  userId: string;
  email: string | undefined;
}

/** `user`: the signed-in user, or undefined for anyone else (the routes pass only a verified user). */
export async function requireOperator(sql: Sql, user: Operator | undefined): Promise<Operator> {
  if (user && (await isOperator(sql, user.userId))) return user;
  throw new AppError('not_found', 'Not found.');
}
