/**
 * The two figures Stripe has for a cycle, read through the official SDK:
 * - the meter event summary for the customer over the cycle's window
 *   (docs.stripe.com/api/billing/meter-event-summary/list), which honours cancelled events;
 * - the quantity on the metered line(s) of the cycle's invoice, once that invoice is finalised. A draft is still
 *   inside Stripe's grace period, where late usage is added to it
 *   (docs.stripe.com/billing/subscriptions/usage-based/configure-grace-period), so it is no figure yet.
 */
import type Stripe from 'stripe';
import { METER } from '../../domain/catalog.ts';
import { type MeterWindow, unixSeconds } from './meter-window.ts';

/** The id of the active meter our usage goes to, or undefined when the account has none (doctor --fix makes it). */
export async function findUsageMeterId(stripe: Stripe): Promise<string | undefined> {
  for await (const meter of stripe.billing.meters.list({ status: 'active', limit: 100 })) {
    if (meter.event_name === METER.eventName) return meter.id;
  }
  return undefined;
}

export async function meterMinutes(
  stripe: Stripe,
  meterId: string,
  customer: string,
  window: MeterWindow,
): Promise<number> {
  let total = 0;
  const summaries = stripe.billing.meters.listEventSummaries(meterId, {
    customer,
    start_time: unixSeconds(window.from),
    end_time: unixSeconds(window.to),
    limit: 100,
  });
  for await (const summary of summaries) total += summary.aggregated_value;
  return total;
}

const FINAL_STATUSES = new Set(['open', 'paid', 'uncollectible']);

/**
 * The metered quantity the invoice bills for the window: its lines priced with one of our metered prices whose
 * period lies inside the window. null while the invoice is a draft (or void: it bills nothing).
 */
export async function invoicedMinutes(
  stripe: Stripe,
  invoiceId: string,
  meteredPriceIds: ReadonlySet<string>,
  window: MeterWindow,
): Promise<number | null> {
  const invoice = await stripe.invoices.retrieve(invoiceId);
  if (!invoice.status || !FINAL_STATUSES.has(invoice.status)) return null;
  const from = unixSeconds(window.from);
  const to = unixSeconds(window.to);
  let quantity = 0;
  for await (const line of stripe.invoices.listLineItems(invoiceId, { limit: 100 })) {
    const price = line.pricing?.price_details?.price;
    const priceId = typeof price === 'string' ? price : price?.id;
    if (!priceId || !meteredPriceIds.has(priceId)) continue;
    // Minute-rounded like the window (a period end may carry seconds).
    if (line.period.start < from || Math.floor(line.period.end / 60) * 60 > to) continue;
    quantity += line.quantity ?? 0;
  }
  return quantity;
}
