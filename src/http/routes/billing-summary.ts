/**
 * GET billing-summary?org_id= (user, owner): plan, status, this month's usage and the invoices
 * (docs/http-api.md#billing-summary). An addition (docs/departures.md): `?if_none=empty` answers a caller who owns no
 * organisation with 200 and `organisation: null` instead of 404 `organisation_not_found`, so the dashboard of a new
 * user logs no failed request in the browser console.
 */
import { z } from 'zod';
import { findOwnedOrganisations } from '../../repositories/organisations.ts';
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
    if (
      url.searchParams.get('if_none') === 'empty' &&
      !query.org_id &&
      (await findOwnedOrganisations(ctx.sql, caller.userId)).length === 0
    ) {
      return jsonResponse({
        organisation: null,
        organisations: [],
        subscription: null,
        usage: null,
        usage_earlier_in_period: [],
        invoices: [],
      });
    }
    return jsonResponse(await getBillingSummary(ctx, { userId: caller.userId, orgId: query.org_id }));
  },
};
