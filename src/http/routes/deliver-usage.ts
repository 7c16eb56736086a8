/**
 * POST deliver-usage (backend only): one pass of the meter-event outbox, for a scheduler (Supabase cron calling
 * the function every minute) where no long-lived deliverer runs. Answers what the pass did.
 */
import { drainUsageOutbox } from '../../usecases/deliver-usage.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';

export const route: Route = {
  name: 'deliver-usage',
  method: 'POST',
  auth: 'backend',
  emptyBodyAllowed: true, // pg_cron / a scheduler POSTs with no body at all
  async handle(_input, ctx) {
    const { sent, failed, pending } = await drainUsageOutbox(ctx);
    return jsonResponse({ sent, failed, pending });
  },
};
