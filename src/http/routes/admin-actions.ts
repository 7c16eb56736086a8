/**
 * POST admin-actions (operators only; anyone else 404): `{"action": "retry_deliveries" | "replay_stripe_events" |
 * "reconcile"}`, audited in operator_actions (docs/http-api.md#admin-actions).
 */
import { z } from 'zod';
import { requireOperator } from '../../usecases/admin/require-operator.ts';
import { runOperatorAction } from '../../usecases/admin/run-operator-action.ts';
import { jsonResponse } from '../json.ts';
import { signedInUser } from './signed-in-user.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Body = z.strictObject({
  action: z.enum(['retry_deliveries', 'replay_stripe_events', 'reconcile']),
});

export const route: Route = {
  name: 'admin-actions',
  method: 'POST',
  auth: 'user',
  async handle(input, ctx) {
    const operator = await requireOperator(ctx.sql, signedInUser(input.caller));
    const { action } = parseInput(Body, input.json);
    return jsonResponse(await runOperatorAction(ctx, operator, action));
  },
};
