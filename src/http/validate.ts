/** Turns a zod failure into `invalid_request` naming the first bad field (SPEC.md §3). */
import type { z } from 'zod';
import { AppError } from '../errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = field ? `${field}: ${issue!.message}` : (issue?.message ?? 'The request is not valid.');
  throw new AppError('invalid_request', message, field ? { field } : {});
}
