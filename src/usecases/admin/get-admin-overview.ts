/**
 * GET admin-overview (operators only): revenue, customers and pipelines in one answer for the console at /admin.
 * The database answers what it knows (MRR from the subscriptions and plans, this month's overage from the ledger,
 * statuses, the outbox, unapplied events, unbilled voice calls, the last reconciliation); Stripe answers what only
 * it knows (paid invoices per month, what a past-due customer owes). JSON: docs/http-api.md#admin-overview.
 */
import type { AppContext } from '../context.ts';
import {
  countCustomersByStatus,
  deliveryQueue,
  listLiveSubscriptionPrices,
  listPastDueSubscriptions,
  overageOfCurrentCycles,
  unappliedStripeEvents,
  unbilledVoiceEvents,
} from '../../repositories/admin-overview.ts';
import { listRecentOperatorActions } from '../../repositories/operator-actions.ts';
import { listMeteredPriceIds } from '../../repositories/reconciliation-ledger.ts';
import { latestReconciliationRun } from '../../repositories/reconciliation-runs.ts';
import { lastTwelveMonths, revenueByMonth } from './monthly-revenue.ts';
import { monthlyRecurringRevenue } from './mrr.ts';
import { describePastDue } from './past-due.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function getAdminOverview(ctx: AppContext) {
  const now = ctx.clock.now();
  const metered = new Set(await listMeteredPriceIds(ctx.sql));
  const months = await revenueByMonth(ctx.stripe, metered, lastTwelveMonths(now));
  const pastDue = await Promise.all(
    (await listPastDueSubscriptions(ctx.sql)).map((s) => describePastDue(ctx.stripe, s, now)),
  );
  const queue = await deliveryQueue(ctx.sql);
  const events = await unappliedStripeEvents(ctx.sql);
  const voice = await unbilledVoiceEvents(ctx.sql);
  const run = await latestReconciliationRun(ctx.sql);
  const drifting = run.filter((r) => r.status === 'drift' || r.status === 'unchecked');
  return {
    generated_at: now.toISOString(),
    revenue: {
      mrr: monthlyRecurringRevenue(await listLiveSubscriptionPrices(ctx.sql)),
      overage_this_month: await overageOfCurrentCycles(ctx.sql),
      months,
    },
    customers: {
      by_status: await countCustomersByStatus(ctx.sql),
      past_due: pastDue,
    },
    pipelines: {
      usage_delivery: {
        pending: queue.pending,
        failed: queue.failed,
        oldest_pending_at: iso(queue.oldestPendingAt),
        oldest_pending_age_seconds: queue.oldestPendingAt
          ? Math.max(0, Math.floor((now.getTime() - queue.oldestPendingAt.getTime()) / 1000))
          : null,
        failures: queue.failures.map((f) => ({ ...f, ended_at: f.ended_at.toISOString() })),
      },
      stripe_events: {
        unapplied: events.count,
        oldest_received_at: iso(events.oldestReceivedAt),
        events: events.events.map((e) => ({
          ...e,
          created: e.created.toISOString(),
          received_at: e.received_at.toISOString(),
        })),
      },
      voice_events: {
        unbilled: voice.count,
        events: voice.events.map((e) => ({ ...e, received_at: e.received_at.toISOString() })),
      },
      reconciliation:
        run.length === 0
          ? null
          : {
              run_id: run[0]!.runId,
              checked_at: run[0]!.checkedAt.toISOString(),
              cycles: run.length,
              drifting: drifting.length,
              drift: drifting.map((r) => ({
                org_id: r.orgId,
                stripe_customer_id: r.stripeCustomerId,
                window_start: r.windowStart.toISOString(),
                ledger_minutes: r.ledgerMinutes,
                stripe_meter_minutes: r.stripeMeterMinutes,
                invoice_minutes: r.invoiceMinutes,
                meter_difference_minutes: r.meterDifferenceMinutes,
                invoice_difference_minutes: r.invoiceDifferenceMinutes,
                status: r.status,
                finding: r.finding,
              })),
            },
    },
    recent_actions: (await listRecentOperatorActions(ctx.sql, 10)).map((a) => ({
      ...a,
      requested_at: a.requested_at.toISOString(),
    })),
  };
}

export type AdminOverview = Awaited<ReturnType<typeof getAdminOverview>>;
