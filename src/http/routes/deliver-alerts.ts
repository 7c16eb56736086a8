/**
 * POST deliver-alerts (backend only): one pass of the usage-alert outbox, for a scheduler (pg_cron every minute on
 * Supabase, supabase/migrations/20261201001000_schedule_deliver_alerts.sql); the local stack runs its own loop.
 * Answers {sent, failed, pending} (docs/http-api.md#deliver-alerts).
 */
import { drainUsageAlerts } from '../../usecases/usage-alerts/deliver-usage-alerts.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';

export const route: Route = {
  name: 'deliver-alerts',
  method: 'POST',
  auth: 'backend',
  emptyBodyAllowed: true,
  async handle(_input, ctx) {
    return jsonResponse(await drainUsageAlerts(ctx));
  },
};
