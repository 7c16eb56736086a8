/** GET billing-summary?org_id= (user, owner): plan, status, this month's usage and the invoices (SPEC.md §3). */
import { z } from 'zod';
import { getBillingSummary } from '../../usecases/get-billing-summary.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Query = z.object({ org_id: z.guid('must be an organisation id (uuid)').optional() });

export const route: Route = {
  name: 'billing-summary',
  method: 'GET',
  auth: 'user',
  async handle({ url, caller }, ctx) {
    const orgId = url.searchParams.get('org_id');
    const query = parseInput(Query, orgId === null || orgId === '' ? {} : { org_id: orgId });
    if (caller.kind !== 'user') throw new Error('billing-summary: route requires a user caller');
    return jsonResponse(await getBillingSummary(ctx, { userId: caller.userId, orgId: query.org_id }));
  },
};
