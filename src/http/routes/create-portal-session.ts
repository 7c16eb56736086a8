/**
 * POST create-portal-session {org_id?} → {portal_url}: Stripe's customer portal for the owner
 * (docs/http-api.md#create-portal-session).
 */
import { z } from 'zod';
import { openBillingPortal } from '../../usecases/open-billing-portal.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Body = z.object({ org_id: z.guid('must be an organisation id (uuid)').optional() });

export const route: Route = {
  name: 'create-portal-session',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const body = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('create-portal-session: route requires a user caller');
    const portal = await openBillingPortal(ctx, { userId: caller.userId, orgId: body.org_id });
    return jsonResponse({ portal_url: portal.url });
  },
};
