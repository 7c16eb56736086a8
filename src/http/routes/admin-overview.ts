/** GET admin-overview (operators only; anyone else 404): the operator console's data (docs/http-api.md#admin-overview). */
import { getAdminOverview } from '../../usecases/admin/get-admin-overview.ts';
import { requireOperator } from '../../usecases/admin/require-operator.ts';
import { jsonResponse } from '../json.ts';
import { signedInUser } from './signed-in-user.ts';
import type { Route } from '../route.ts';

export const route: Route = {
  name: 'admin-overview',
  method: 'GET',
  auth: 'user',
  async handle(input, ctx) {
    await requireOperator(ctx.sql, signedInUser(input.caller));
    return jsonResponse(await getAdminOverview(ctx));
  },
};
