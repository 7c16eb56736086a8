/**
 * Which failures a caller should simply retry: PostgreSQL conflicts, timeouts and lost connections are 503
 * `database_unavailable` (report-usage is idempotent on call_id, so a retry is safe); a real bug stays a 500.
 */
import { describe, expect, it } from 'vitest';
import { toAppError } from '../../src/http/error-response.ts';

/** What postgres.js / PGlite throw: an Error whose `code` is the SQLSTATE. */
const pgError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code });

describe('database failures a retry fixes → 503 database_unavailable', () => {
  it.each([
    ['40P01', 'deadlock detected'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['55P03', 'could not obtain lock on row in relation "usage_records"'],
    ['57014', 'canceling statement due to statement timeout'],
    ['53300', 'sorry, too many clients already'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['08003', 'connection does not exist'],
    ['08P01', 'protocol violation'],
    ['CONNECTION_CLOSED', 'write CONNECTION_CLOSED db.example:6543'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
  ])('%s (%s)', (code, message) => {
    const err = pgError(code, message);
    const appError = toAppError(err);
    expect(appError.code).toBe('database_unavailable');
    expect(appError.status).toBe(503);
    expect(appError.cause).toBe(err);
    expect(appError.message).not.toContain(message);
  });

  it('also when a caller wrapped the driver’s error as the cause', () => {
    const wrapped = new Error('recording usage failed', { cause: pgError('40P01', 'deadlock detected') });
    expect(toAppError(wrapped).status).toBe(503);
  });
});

describe('database failures a retry does not fix → 500 internal', () => {
  it.each([
    ['42P01', 'relation "usage" does not exist'],
    ['23505', 'duplicate key value violates unique constraint'],
    ['22P02', 'invalid input syntax for type uuid'],
    ['42601', 'syntax error at or near "selct"'],
    ['57P04', 'database dropped'],
  ])('%s (%s)', (code, message) => {
    const appError = toAppError(pgError(code, message));
    expect(appError.code).toBe('internal');
    expect(appError.status).toBe(500);
  });
});
