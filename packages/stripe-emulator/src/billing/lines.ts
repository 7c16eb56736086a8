/**
 * Invoice line items in the shape of API ≥ 2025-03-31.basil: `pricing.price_details`, `parent.*_details`
 * (docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects).
 * A metered line remembers the usage window it bills so that usage arriving before finalisation (the grace
 * period, docs.stripe.com/billing/subscriptions/usage-based/configure-grace-period) is still counted.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import type { Obj } from '../store.ts';
import { amountFor } from './tiers.ts';
import { usageTotal } from './usage.ts';

export interface LineSpec {
  price: Obj;
  quantity: number;
  period: { start: number; end: number };
  subscription?: string | null;
  subscriptionItem?: string | null;
  /** For metered lines: the window whose usage is billed. */
  usage?: { customer: string; from: number; to: number };
  proration?: boolean;
  amountOverride?: number;
  description?: string;
}

export function meteredQuantity(emu: Emu, price: Obj, customer: string, from: number, to: number): number {
  const meter = emu.store.get('billing.meter', price.recurring?.meter ?? '');
  return meter ? usageTotal(emu, meter, customer, from, to) : 0;
}

export function addLine(emu: Emu, invoice: Obj, spec: LineSpec): Obj {
  const product = emu.store.get('product', spec.price.product);
  const quantity = spec.usage
    ? meteredQuantity(emu, spec.price, spec.usage.customer, spec.usage.from, spec.usage.to)
    : spec.quantity;
  const amount = spec.amountOverride ?? amountFor(spec.price as never, quantity);
  const fromSubscription = Boolean(spec.subscriptionItem);
  const line: Partial<Stripe.InvoiceLineItem> & Obj = {
    id: newId('il'),
    object: 'line_item',
    amount,
    currency: spec.price.currency,
    description:
      spec.description ??
      `${quantity} × ${product?.name ?? 'item'}${spec.price.recurring ? ` (at ${describeRate(spec.price)})` : ''}`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoice.id,
    livemode: false,
    metadata: {},
    parent: fromSubscription
      ? {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: Boolean(spec.proration),
            proration_details: { credited_items: null },
            subscription: spec.subscription ?? null,
            subscription_item: spec.subscriptionItem ?? '',
          },
        }
      : {
          type: 'invoice_item_details',
          subscription_item_details: null,
          invoice_item_details: {
            invoice_item: newId('ii'),
            proration: false,
            proration_details: { credited_items: null },
            subscription: spec.subscription ?? null,
          },
        },
    period: spec.period,
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: spec.price.id, product: spec.price.product },
      unit_amount_decimal: spec.price.unit_amount_decimal ?? null,
    },
    quantity,
    quantity_decimal: String(quantity),
    subscription: spec.subscription ?? null,
    subtotal: amount,
    taxes: [],
  } as Obj;
  if (spec.usage) line._usage = { ...spec.usage, price: spec.price.id };
  return emu.store.put(line);
}

function describeRate(price: Obj): string {
  const unit =
    price.billing_scheme === 'tiered'
      ? 'tiered'
      : `${(price.unit_amount / 100).toFixed(2)} ${price.currency.toUpperCase()}`;
  return `${unit} / ${price.recurring.interval}`;
}

export function linesOf(emu: Emu, invoiceId: string): Obj[] {
  return emu.store
    .all('line_item')
    .filter((l) => l.invoice === invoiceId)
    .reverse();
}

/** Re-reads metered usage into the invoice's metered lines (late usage in the grace period). */
export function refreshMeteredLines(emu: Emu, invoiceId: string): void {
  for (const line of linesOf(emu, invoiceId)) {
    if (!line._usage) continue;
    const price = emu.store.get('price', line._usage.price);
    if (!price) continue;
    const q = meteredQuantity(emu, price, line._usage.customer, line._usage.from, line._usage.to);
    line.quantity = q;
    line.quantity_decimal = String(q);
    line.amount = line.subtotal = amountFor(price as never, q);
  }
}
