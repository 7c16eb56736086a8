/**
 * GET usage-records?org_id=&cycle=&cursor=&limit= (user, owner): the call log of a cycle (docs/http-api.md#usage-records).
 * JSON pages by default; `format=csv` or `Accept: text/csv` streams the whole cycle as CSV; `view=daily` answers the
 * billed minutes per day for the dashboard's chart. The use cases live in src/usecases/call-log/.
 */
import { z } from 'zod';
import { exportUsageRecordsCsv } from '../../usecases/call-log/export-usage-records-csv.ts';
import { listUsageRecords } from '../../usecases/call-log/list-usage-records.ts';
import { decodePageCursor } from '../../usecases/call-log/page-cursor.ts';
import { sumDailyMinutes } from '../../usecases/call-log/sum-daily-minutes.ts';
import { AppError } from '../../errors.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

export const LIMIT_DEFAULT = 50;
export const LIMIT_MAX = 200;

const Query = z.object({
  org_id: z.guid('must be an organisation id (uuid)').optional(),
  cycle: z
    .string()
    .refine((v) => v === 'current' || z.guid().safeParse(v).success, 'must be "current" or a billing cycle id (uuid)')
    .default('current'),
  cursor: z.string().optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${LIMIT_MAX}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= LIMIT_MAX, `must be a whole number from 1 to ${LIMIT_MAX}`)
    .optional(),
  format: z.enum(['json', 'csv'], 'must be "json" or "csv"').optional(),
  view: z.enum(['calls', 'daily'], 'must be "calls" or "daily"').default('calls'),
});

export const route: Route = {
  name: 'usage-records',
  method: 'GET',
  auth: 'user',
  async handle({ url, request, caller }, ctx) {
    if (caller.kind !== 'user') throw new Error('usage-records: route requires a user caller');
    const given = Object.fromEntries([...url.searchParams].filter(([, value]) => value !== ''));
    const query = parseInput(Query, given);
    const scope = {
      userId: caller.userId,
      orgId: query.org_id,
      cycle: query.cycle === 'current' ? ('current' as const) : { id: query.cycle },
    };
    // Checked whatever the answer's form, so a bad cursor is always a 400; only the JSON pages use it.
    const cursor = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
    const csv = query.format ? query.format === 'csv' : (request.headers.get('accept') ?? '').includes('text/csv');
    if (query.view === 'daily') {
      if (query.format === 'csv')
        throw new AppError('invalid_request', 'format: the daily view is JSON only.', { field: 'format' });
      return jsonResponse(await sumDailyMinutes(ctx, scope));
    }
    if (csv) {
      const { filename, body } = await exportUsageRecordsCsv(ctx, scope);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
        },
      });
    }
    return jsonResponse(await listUsageRecords(ctx, { ...scope, cursor, limit: query.limit ?? LIMIT_DEFAULT }));
  },
};
