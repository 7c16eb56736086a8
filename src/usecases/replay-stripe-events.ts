/**
 * Replays the Stripe events we never processed. Stripe stops retrying a webhook after 3 days
 * (docs.stripe.com/webhooks#automatic-retries), so an event whose deliveries all failed — recorded but never
 * marked processed, or never received because our endpoint was down — would leave its rows stale for good.
 * Stripe keeps events for 30 days (docs.stripe.com/api/events/list), so within that window we list them and
 * apply each one we have not processed through the same applyStripeEvent as the webhook. Handlers re-read the
 * truth from Stripe and converge, so the order of replay does not matter; one failing event does not stop the rest.
 */
import type Stripe from 'stripe';
import type { AppContext } from './context.ts';
import { stripeEventStatus } from '../repositories/stripe-event-status.ts';
import { applyStripeEvent } from './apply-stripe-event.ts';
import { EVENT_HANDLERS } from './stripe-events/handlers.ts';

export type ReplayStatus = 'applied' | 'already-processed' | 'ignored' | 'would-apply' | 'failed';

export interface ReplayRow {
  id: string;
  type: string;
  /** When Stripe created the event. */
  created: Date;
  status: ReplayStatus;
  error?: string;
}

export interface ReplayOptions {
  /** Events created at or after this instant are considered (Stripe returns at most the last 30 days). */
  since: Date;
  /** Report what would be applied; write nothing. */
  dryRun?: boolean;
}

/** How long Stripe lets us list events (docs.stripe.com/api/events). */
export const STRIPE_EVENT_RETENTION_DAYS = 30;

export async function replayStripeEvents(ctx: AppContext, opts: ReplayOptions): Promise<{ rows: ReplayRow[] }> {
  const events: Stripe.Event[] = [];
  for await (const event of ctx.stripe.events.list({
    created: { gte: Math.floor(opts.since.getTime() / 1000) },
    limit: 100,
  })) {
    events.push(event);
  }
  // Stripe lists newest first; replay in the order they happened, as the webhook would have delivered them (the
  // handlers converge in any order, but this reads naturally in the table). Stable sort: same-second events keep it.
  events.reverse().sort((a, b) => a.created - b.created);
  const rows: ReplayRow[] = [];
  for (const event of events) rows.push(await replayOne(ctx, event, opts.dryRun ?? false));
  return { rows };
}

async function replayOne(ctx: AppContext, event: Stripe.Event, dryRun: boolean): Promise<ReplayRow> {
  const row = { id: event.id, type: event.type, created: new Date(event.created * 1000) };
  try {
    if ((await stripeEventStatus(ctx.sql, event.id)) === 'processed') return { ...row, status: 'already-processed' };
    if (dryRun) return { ...row, status: EVENT_HANDLERS[event.type] ? 'would-apply' : 'ignored' };
    const result = await applyStripeEvent(ctx, event);
    return { ...row, status: result === 'duplicate' ? 'already-processed' : result };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ctx.logger.error('replaying a Stripe event failed', { event_id: event.id, event_type: event.type, cause: error });
    return { ...row, status: 'failed', error };
  }
}

/** The table `stripe-events replay` prints (the same layout as `catalog sync`). */
export function formatReplayRows(rows: ReplayRow[]): string {
  const header = ['created', 'type', 'id', 'status'];
  const cells = rows.map((r) => [
    r.created.toISOString().replace('.000Z', 'Z'),
    r.type,
    r.id,
    r.error ? `${r.status}: ${r.error}` : r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
