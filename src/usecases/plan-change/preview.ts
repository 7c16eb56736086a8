/**
 * What a plan change will cost, before the owner confirms it. An upgrade: Stripe's preview of the next invoice with
 * the new prices applied now (docs.stripe.com/api/invoices/create_preview with `subscription_details.items`, the
 * same `create_prorations` the change uses): nothing is charged now; the prorations (unused time on the old plan
 * credited, the rest of the period on the new one charged) are added to the next invoice. A downgrade changes
 * nothing until the period end, so nothing is due for it before then and no Stripe call is needed.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { stripeUnavailable } from '../usage/stripe-errors.ts';

export interface PlanChangePreview {
  /** null: now (an upgrade); else the period end (a downgrade). */
  effectiveAt: Date | null;
  /** Charged at the moment of the switch: prorations wait for the next invoice. */
  dueNowCents: number;
  /** The next invoice with the switch, when previewed (upgrades). */
  nextInvoice: { totalCents: number; at: Date; prorationCents: number } | null;
  currency: string;
}

export async function previewUpgrade(
  ctx: AppContext,
  sub: Stripe.Subscription,
  items: Stripe.SubscriptionUpdateParams.Item[],
): Promise<PlanChangePreview> {
  let invoice: Stripe.Invoice;
  try {
    invoice = await ctx.stripe.invoices.createPreview({
      customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
      subscription: sub.id,
      subscription_details: {
        items: items.map((i) => ({ id: i.id!, price: i.price! })),
        proration_behavior: 'create_prorations',
      },
    });
  } catch (error) {
    throw stripeUnavailable(error, 'preview the plan change');
  }
  // Flat-fee prorations only: the minutes so far are billed as they would be anyway, through the current plan.
  const flatPrices = new Set(
    sub.items.data
      .filter((i) => i.price.recurring?.usage_type !== 'metered')
      .map((i) => i.price.id)
      .concat(items.map((i) => i.price!)),
  );
  const prorationCents = invoice.lines.data
    .filter(
      (l) =>
        l.parent?.subscription_item_details?.proration && flatPrices.has(l.pricing?.price_details?.price as string),
    )
    .reduce((sum, l) => sum + l.amount, 0);
  return {
    effectiveAt: null,
    dueNowCents: 0,
    nextInvoice: { totalCents: invoice.total, at: new Date(invoice.period_end * 1000), prorationCents },
    currency: invoice.currency,
  };
}

export function previewDowngrade(effectiveAt: Date, currency: string): PlanChangePreview {
  return { effectiveAt, dueNowCents: 0, nextInvoice: null, currency };
}
