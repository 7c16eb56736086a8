/**
 * Stripe list objects and cursor pagination (docs.stripe.com/api/pagination): newest first, `limit` 1..100
 * (default 10), `starting_after` / `ending_before` cursors by object id, `has_more`, `url`.
 */
import { invalidParam, notFound } from './errors.ts';
import type { Obj } from './store.ts';

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export function listOf<T>(data: T[], url: string, hasMore = false): StripeList<T> {
  return { object: 'list', data, has_more: hasMore, url };
}

export function paginate(items: Obj[], params: Record<string, unknown>, url: string): StripeList<Obj> {
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidParam('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
  }
  const after = params.starting_after as string | undefined;
  const before = params.ending_before as string | undefined;
  if (after) {
    const i = items.findIndex((o) => o.id === after);
    if (i < 0) throw notFound('object', after, 'starting_after');
    const rest = items.slice(i + 1);
    return listOf(rest.slice(0, limit), url, rest.length > limit);
  }
  if (before) {
    const i = items.findIndex((o) => o.id === before);
    if (i < 0) throw notFound('object', before, 'ending_before');
    const head = items.slice(0, i);
    return listOf(head.slice(Math.max(0, head.length - limit)), url, head.length > limit);
  }
  return listOf(items.slice(0, limit), url, items.length > limit);
}

/** `created[gte]=…` style filters on any numeric field. */
export function rangeFilter(value: unknown): (n: number) => boolean {
  if (value === undefined) return () => true;
  if (typeof value === 'string') return (n) => n === Number(value);
  const r = value as Record<string, string>;
  return (n) =>
    (r.gt === undefined || n > Number(r.gt)) &&
    (r.gte === undefined || n >= Number(r.gte)) &&
    (r.lt === undefined || n < Number(r.lt)) &&
    (r.lte === undefined || n <= Number(r.lte));
}
