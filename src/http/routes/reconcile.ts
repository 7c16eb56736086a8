/**
 * POST reconcile (backend only): one reconciliation of the ledger with Stripe's meter and invoices, for a scheduler
 * (like deliver-usage). Body (optional): `{"since": ISO date, "repair": boolean}`. Answers the run's rows.
 */
import { z } from 'zod';
import { reconciliationJson } from '../../usecases/reconcile/format-table.ts';
import { reconcileUsage } from '../../usecases/reconcile/reconcile-usage.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { isoInstant, parseInput } from '../validate.ts';

const Body = z.strictObject({
  since: isoInstant('since must be an ISO 8601 date-time with a time zone').optional(),
  repair: z.boolean().optional(),
});

export const route: Route = {
  name: 'reconcile',
  method: 'POST',
  auth: 'backend',
  emptyBodyAllowed: true, // a scheduler POSTs with no body at all
  async handle(input, ctx) {
    const body = parseInput(Body, input.json ?? {});
    const result = await reconcileUsage(ctx, {
      ...(body.since ? { since: new Date(body.since) } : {}),
      ...(body.repair ? { repair: true } : {}),
    });
    return jsonResponse({
      run_id: result.runId,
      since: result.since.toISOString(),
      unresolved: result.unresolved,
      cycles: reconciliationJson(result.cycles),
    });
  },
};
