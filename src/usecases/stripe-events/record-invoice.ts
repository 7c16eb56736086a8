/**
 * An invoice of a subscription bills the metered usage of the period BEFORE it (usage is billed in arrears):
 * its metered line's `period` is that usage period. We write the invoice id on the cycle of that period
 * (creating the cycle, closed, if we never saw it — e.g. events replayed into an empty database).
 * The first invoice (`billing_reason: subscription_create`) bills the flat fee in advance and no usage yet, so
 * it names no cycle; with that rule each cycle has at most one invoice, whatever the order of events.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../../http/route.ts';
import { ensureCycle, setCycleInvoice } from '../../repositories/billing-cycles.ts';
import type { SyncedSubscription } from './sync-subscription.ts';

const linePrice = (line: Stripe.InvoiceLineItem): string | undefined => {
  const price = line.pricing?.price_details?.price;
  return typeof price === 'string' ? price : (price as { id?: string } | undefined)?.id;
};

export async function recordInvoiceOnCycle(ctx: AppContext, invoice: Stripe.Invoice, synced: SyncedSubscription): Promise<void> {
  if (!invoice.id || invoice.billing_reason === 'subscription_create') return;
  const { mapped, rowId } = synced;
  const meteredLine = invoice.lines.data.find(
    (line) =>
      (mapped.meteredItem && line.parent?.subscription_item_details?.subscription_item === mapped.meteredItem.id) ||
      (mapped.plan.stripeMeteredPriceId !== null && linePrice(line) === mapped.plan.stripeMeteredPriceId),
  );
  if (!meteredLine || meteredLine.period.end <= meteredLine.period.start) return;
  const periodStart = new Date(meteredLine.period.start * 1000);
  const currentStart = mapped.meteredItem ? mapped.meteredItem.current_period_start * 1000 : Number.POSITIVE_INFINITY;
  await ensureCycle(ctx.sql, {
    subscriptionId: rowId,
    orgId: mapped.orgId,
    periodStart,
    periodEnd: new Date(meteredLine.period.end * 1000),
    status: periodStart.getTime() < currentStart ? 'closed' : 'active',
    includedMinutes: mapped.plan.includedMinutes,
    overageRateCents: mapped.plan.overageRateCents,
    currency: mapped.plan.currency,
  });
  await setCycleInvoice(ctx.sql, rowId, periodStart, invoice.id);
}
