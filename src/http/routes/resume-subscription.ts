/**
 * POST resume-subscription {org_id?} → {resumed}: undo a scheduled cancellation (owner;
 * docs/http-api.md#resume-subscription).
 */
import { z } from 'zod';
import { resumeSubscription } from '../../usecases/resume-subscription.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Body = z.object({ org_id: z.guid('must be an organisation id (uuid)').optional() });

export const route: Route = {
  name: 'resume-subscription',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const body = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('resume-subscription: route requires a user caller');
    return jsonResponse(await resumeSubscription(ctx, { userId: caller.userId, orgId: body.org_id }));
  },
};
