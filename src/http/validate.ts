/**
 * Turns a zod failure into `invalid_request` naming the first bad field (docs/http-api.md#the-error-envelope), and
 * shared field rules.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = field ? `${field}: ${issue!.message}` : (issue?.message ?? 'The request is not valid.');
  throw new AppError('invalid_request', message, field ? { field } : {});
}

/**
 * Instants a request may name: years 2000 to 9999 in UTC. Both ends are ones JavaScript and PostgreSQL agree on:
 * PostgreSQL has no year 0 (`0000-01-01` fails the statement, a 500) and JavaScript writes years past 9999 as
 * `+010000-…`, which PostgreSQL does not read; a usage record from before 2000 is a bug in the caller anyway.
 */
export const EARLIEST_INSTANT = new Date('2000-01-01T00:00:00Z');
export const LATEST_INSTANT_EXCLUSIVE = new Date('+010000-01-01T00:00:00Z');

export const isoInstant = (message: string) =>
  z.iso.datetime({ offset: true, message }).refine((s) => {
    const t = new Date(s).getTime();
    return t >= EARLIEST_INSTANT.getTime() && t < LATEST_INSTANT_EXCLUSIVE.getTime();
  }, 'must lie between the years 2000 and 9999 (UTC)');
