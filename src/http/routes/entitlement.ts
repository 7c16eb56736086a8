/**
 * GET entitlement?org_id= (backend only): may a new call of this organisation start? (docs/http-api.md#entitlement)
 * The rule is src/domain/entitlement.ts, read in one query by usecases/entitlement/check-entitlement.ts.
 */
import { z } from 'zod';
import { checkEntitlement } from '../../usecases/entitlement/check-entitlement.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Query = z.object({ org_id: z.guid('must be an organisation id (uuid)') });

export const route: Route = {
  name: 'entitlement',
  method: 'GET',
  auth: 'backend',
  async handle({ url }, ctx) {
    const query = parseInput(Query, { org_id: url.searchParams.get('org_id') ?? undefined });
    return jsonResponse(await checkEntitlement(ctx, query.org_id));
  },
};
