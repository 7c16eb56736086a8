/**
 * POST spend-cap {org_id?, monthly_overage_cap_cents: integer ≥ 0 | null} (user, owner): set or remove the monthly
 * overage cap (docs/http-api.md#spend-cap). A missing field, a negative, fractional or non-number cap → 400
 * invalid_request naming `monthly_overage_cap_cents`; nothing is written.
 */
import { z } from 'zod';
import { setSpendCap } from '../../usecases/spend-cap/set-spend-cap.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

/** A bigint column, but JSON numbers are exact only up to 2^53: larger caps are refused, not rounded. */
const Cap = z
  .number('must be a whole number of cents ≥ 0, or null for no cap')
  .int('must be a whole number of cents')
  .min(0, 'must be 0 or more')
  .max(Number.MAX_SAFE_INTEGER, 'is too large')
  .nullable();

const Body = z.object({
  org_id: z.guid('must be an organisation id (uuid)').optional(),
  monthly_overage_cap_cents: Cap,
});

export const route: Route = {
  name: 'spend-cap',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const body = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('spend-cap: route requires a user caller');
    const result = await setSpendCap(ctx, {
      userId: caller.userId,
      orgId: body.org_id,
      monthlyOverageCapCents: body.monthly_overage_cap_cents,
    });
    return jsonResponse({ org_id: result.orgId, monthly_overage_cap_cents: result.monthlyOverageCapCents });
  },
};
