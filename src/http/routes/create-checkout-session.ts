/**
 * POST create-checkout-session {plan_id, billing_period, org_id?} → {checkout_url, session_id}
 * (docs/http-api.md#create-checkout-session).
 */
import { z } from 'zod';
import { startCheckout } from '../../usecases/start-checkout.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Body = z.object({
  plan_id: z.guid('must be a plan id (uuid)'),
  billing_period: z.enum(['monthly', 'yearly'], 'must be "monthly" or "yearly"'),
  org_id: z.guid('must be an organisation id (uuid)').optional(),
});

export const route: Route = {
  name: 'create-checkout-session',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const body = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('create-checkout-session: route requires a user caller');
    const started = await startCheckout(ctx, {
      userId: caller.userId,
      planId: body.plan_id,
      billingPeriod: body.billing_period,
      orgId: body.org_id,
    });
    return jsonResponse({ checkout_url: started.checkoutUrl, session_id: started.sessionId });
  },
};
