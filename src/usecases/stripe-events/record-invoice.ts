/**
 * An invoice of a subscription bills the metered usage of the period BEFORE it (usage is billed in arrears):
 * its metered line's `period` is that usage period. We write the invoice id on the cycle of that period
 * (creating the cycle, closed, if we never saw it — e.g. events replayed into an empty database).
 * The first invoice (`billing_reason: subscription_create`) bills the flat fee in advance and no usage yet, so
 * it names no cycle; with that rule each cycle has at most one invoice, whatever the order of events.
 *
 * After a mid-period plan change an invoice carries TWO metered lines for the item: the usage before the change
 * through the old price (period start → change) and the usage after it through the new price (change → end)
 * (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle). Our cycle was
 * split at the change (repositories/split-cycle.ts), so each line names the cycle starting where it starts. Where
 * no split happened, a line starting inside a cycle names that cycle: never a new cycle starting at the change.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { ensureCycle, findCycleContaining, setCycleInvoice } from '../../repositories/billing-cycles.ts';
import type { SyncedSubscription } from './sync-subscription.ts';

const linePrice = (line: Stripe.InvoiceLineItem): string | undefined => {
  const price = line.pricing?.price_details?.price;
  return typeof price === 'string' ? price : (price as { id?: string } | undefined)?.id;
};

export async function recordInvoiceOnCycle(
  ctx: AppContext,
  invoice: Stripe.Invoice,
  synced: SyncedSubscription,
): Promise<void> {
  if (!invoice.id || invoice.billing_reason === 'subscription_create') return;
  const { mapped } = synced;
  const meteredLines = invoice.lines.data
    .filter(
      (line) =>
        (mapped.meteredItem && line.parent?.subscription_item_details?.subscription_item === mapped.meteredItem.id) ||
        (mapped.plan.stripeMeteredPriceId !== null && linePrice(line) === mapped.plan.stripeMeteredPriceId),
    )
    .filter((line) => line.period.end > line.period.start);
  for (const line of meteredLines) await recordLine(ctx, invoice.id, line, synced);
}

async function recordLine(
  ctx: AppContext,
  invoiceId: string,
  line: Stripe.InvoiceLineItem,
  synced: SyncedSubscription,
): Promise<void> {
  const { mapped, rowId } = synced;
  const periodStart = new Date(line.period.start * 1000);
  const enclosing = await findCycleContaining(ctx.sql, rowId, periodStart);
  if (enclosing && enclosing.period_start.getTime() < periodStart.getTime()) {
    // A line starting inside a cycle: the change was not split (e.g. its event is still on its way).
    return setCycleInvoice(ctx.sql, rowId, enclosing.period_start, invoiceId);
  }
  const currentStart = mapped.meteredItem ? mapped.meteredItem.current_period_start * 1000 : Number.POSITIVE_INFINITY;
  await ensureCycle(ctx.sql, {
    subscriptionId: rowId,
    orgId: mapped.orgId,
    periodStart,
    periodEnd: new Date(line.period.end * 1000),
    status: periodStart.getTime() < currentStart ? 'closed' : 'active',
    includedMinutes: mapped.plan.includedMinutes,
    overageRateCents: mapped.plan.overageRateCents,
    currency: mapped.plan.currency,
  });
  await setCycleInvoice(ctx.sql, rowId, periodStart, invoiceId);
}
