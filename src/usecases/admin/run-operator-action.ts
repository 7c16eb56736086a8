/**
 * The console's actions, each audited in `operator_actions` (who, when, what, how it ended): the audit row is
 * written BEFORE the action runs, so even a crash leaves the request on record, and completed after it.
 * - retry_deliveries: failed calls back to pending, waiting ones due now, then one delivery pass;
 * - replay_stripe_events: apply the Stripe events recorded but never processed (the webhook's own pipeline), listing
 *   Stripe's events from the oldest unprocessed one's `created` (Stripe keeps 30 days of them);
 * - reconcile: one reconciliation run, no repair (repairs stay a deliberate CLI step: `reconcile --repair`).
 * Each is safe to repeat: the outbox claim, the event handlers and reconciliation are idempotent.
 */
import type { AppContext } from '../context.ts';
import { unappliedStripeEvents } from '../../repositories/admin-overview.ts';
import {
  finishOperatorAction,
  type OperatorActionName,
  recordOperatorAction,
} from '../../repositories/operator-actions.ts';
import { requeueUsageDeliveries } from '../../repositories/usage-delivery-requeue.ts';
import { drainUsageOutbox } from '../deliver-usage.ts';
import { reconcileUsage } from '../reconcile/reconcile-usage.ts';
import { replayStripeEvents } from '../replay-stripe-events.ts';
import type { Operator } from './require-operator.ts';

export const OPERATOR_ACTIONS: readonly OperatorActionName[] = [
  'retry_deliveries',
  'replay_stripe_events',
  'reconcile',
];

export async function runOperatorAction(
  ctx: AppContext,
  operator: Operator,
  action: OperatorActionName,
): Promise<{ action_id: string; result: Record<string, unknown> }> {
  const id = await recordOperatorAction(ctx.sql, { actorUserId: operator.userId, actorEmail: operator.email, action });
  try {
    const result = await perform(ctx, action);
    await finishOperatorAction(ctx.sql, id, 'done', result);
    ctx.logger.info('operator action done', { action, action_id: id, actor: operator.userId });
    return { action_id: id, result };
  } catch (error) {
    await finishOperatorAction(ctx.sql, id, 'failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

async function perform(ctx: AppContext, action: OperatorActionName): Promise<Record<string, unknown>> {
  switch (action) {
    case 'retry_deliveries': {
      const requeued = await requeueUsageDeliveries(ctx.sql);
      const pass = await drainUsageOutbox(ctx);
      return { requeued_failed: requeued.requeuedFailed, made_due: requeued.madeDue, ...pass };
    }
    case 'replay_stripe_events': {
      const { oldestCreated } = await unappliedStripeEvents(ctx.sql);
      if (!oldestCreated) return { applied: 0, failed: 0, already_processed: 0 };
      // Stripe lists what it still keeps (30 days); an older unprocessed event needs a person.
      const { rows } = await replayStripeEvents(ctx, { since: oldestCreated, dryRun: false });
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      return { applied: count('applied'), failed: count('failed'), already_processed: count('already-processed') };
    }
    case 'reconcile': {
      const run = await reconcileUsage(ctx);
      return {
        run_id: run.runId,
        cycles: run.cycles.length,
        drifting: run.cycles.filter((c) => c.status === 'drift').length,
        unresolved: run.unresolved,
      };
    }
  }
}
