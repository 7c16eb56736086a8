/** GET plans → {plans:[…]}: the active plans by sort order, public (the pricing page shows them signed out). */
import { listActivePlans } from '../../repositories/plans.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';

export const route: Route = {
  name: 'plans',
  method: 'GET',
  auth: 'none',
  async handle(_input, ctx) {
    const plans = await listActivePlans(ctx.sql);
    // Plans change only with a deploy or a catalog sync: a minute of caching spares the database on every page view.
    return jsonResponse({ plans }, 200, { 'cache-control': 'public, max-age=60' });
  },
};
