/**
 * Revenue per month from Stripe's paid invoices, for the last 12 months: what was paid (`amount_paid`) and how much
 * of it was overage (the amounts of the invoice's lines priced with one of our metered prices), bucketed by the
 * month the invoice was paid (`status_transitions.paid_at`, on the customer's clock — a test clock's time in test
 * mode, as every Stripe time). Stripe is the record of what was paid; our ledger only says what was used.
 */
import type Stripe from 'stripe';

export interface MonthRevenue {
  /** `YYYY-MM` (UTC). */
  month: string;
  paid_cents: number;
  overage_cents: number;
  invoices: number;
}

export const monthKey = (d: Date) => d.toISOString().slice(0, 7);

/** The 12 month keys ending with `now`'s month, oldest first. */
export function lastTwelveMonths(now: Date): string[] {
  const months: string[] = [];
  for (let i = 11; i >= 0; i--)
    months.push(monthKey(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))));
  return months;
}

export async function revenueByMonth(
  stripe: Stripe,
  meteredPriceIds: ReadonlySet<string>,
  months: string[],
): Promise<MonthRevenue[]> {
  const buckets = new Map(months.map((m) => [m, { month: m, paid_cents: 0, overage_cents: 0, invoices: 0 }]));
  for await (const invoice of stripe.invoices.list({ status: 'paid', limit: 100 })) {
    const paidAt = invoice.status_transitions?.paid_at;
    if (!paidAt) continue;
    const bucket = buckets.get(monthKey(new Date(paidAt * 1000)));
    if (!bucket) continue;
    bucket.paid_cents += invoice.amount_paid;
    bucket.invoices += 1;
    bucket.overage_cents += await meteredAmount(stripe, invoice, meteredPriceIds);
  }
  return [...buckets.values()];
}

async function meteredAmount(stripe: Stripe, invoice: Stripe.Invoice, metered: ReadonlySet<string>): Promise<number> {
  const lines = invoice.lines.has_more
    ? stripe.invoices.listLineItems(invoice.id!, { limit: 100 })
    : invoice.lines.data;
  let cents = 0;
  for await (const line of lines) {
    const price = line.pricing?.price_details?.price;
    const priceId = typeof price === 'string' ? price : price?.id;
    if (priceId && metered.has(priceId)) cents += line.amount;
  }
  return cents;
}
