/**
 * `subscriptions.update` on items (docs.stripe.com/billing/subscriptions/change): add, remove or re-price items.
 * Prorations for licensed items follow `proration_behavior`: `create_prorations` (default) leaves pending
 * invoice items for the next invoice, `always_invoice` invoices them now, `none` skips them. An added item
 * starts now and runs to the next boundary of the subscription's billing cycle anchor in its own interval
 * (flexible billing mode, mixed intervals). Metered items never prorate: their usage is billed in arrears.
 *
 * Replacing (or removing) a metered price mid-period, flexible billing mode: "we create an invoice item that bills
 * for previously reported metered usage when you remove a metered price from a subscription ... switch from price
 * A to price B on January 16. On January 16, we create an invoice item billing for usage from January 1 to
 * January 16. When the subscription cycles on February 1, we bill for price B from January 16 to February 1. The
 * proration_behavior you specify when removing a metered price affects these metered invoice items"
 * (docs.stripe.com/billing/subscriptions/usage-based/manage-billing-setup#update-prices-mid-cycle). So the usage
 * so far goes through the OLD price's tiers (a pending invoice item, invoiced now with `always_invoice`, dropped
 * with `none`), and the item's usage window restarts at the change (`_usage_from`): the new tiers count from 0.
 */
import type { Emu } from '../emu.ts';
import { invalidParam, notFound } from '../errors.ts';
import type { Params } from '../form.ts';
import { newId } from '../ids.ts';
import { int, mergeMetadata } from '../params.ts';
import type { Obj } from '../store.ts';
import { attachPendingItems, scheduleRenewal } from './subscription-billing.ts';
import { attemptPayment, finalizeInvoice, newInvoice, openDraft } from './invoices.ts';
import { meteredQuantity } from './lines.ts';
import { isMetered, itemsOf, newItem, priceOf, usageWindowStart } from './subscription-model.ts';
import { amountFor } from './tiers.ts';

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

export function applyItemChanges(emu: Emu, sub: Obj, raw: Params[], behavior: ProrationBehavior): boolean {
  const now = emu.nowFor(sub.customer);
  let changed = false;
  raw.forEach((change, i) => {
    const id = change.id as string | undefined;
    const existing = id ? itemsOf(emu, sub.id).find((it) => it.id === id) : undefined;
    if (id && !existing) throw notFound('subscription_item', id, `items[${i}][id]`);
    const priceId = change.price as string | undefined;
    const price = priceId ? emu.store.get('price', priceId) : undefined;
    if (priceId && !price) throw notFound('price', priceId, `items[${i}][price]`);
    const quantity = int(change.quantity, `items[${i}][quantity]`);
    if (price && isMetered(price) && quantity !== undefined)
      throw invalidParam(`items[${i}][quantity]`, 'Quantity should not be specified where usage_type is `metered`.');
    if (existing && change.deleted === 'true') {
      if (change.clear_usage !== 'true')
        billMeteredUsageSoFar(emu, sub, existing, priceOf(emu, existing), now, behavior);
      prorate(emu, sub, existing, priceOf(emu, existing), existing.quantity ?? 0, now, -1, behavior);
      existing._deleted = true;
      emu.emit('customer.subscription_item.deleted', existing, undefined, sub.customer);
      changed = true;
      return;
    }
    if (existing) {
      const oldPrice = priceOf(emu, existing);
      const newPrice = price ?? oldPrice;
      const newQuantity = isMetered(newPrice) ? undefined : (quantity ?? existing.quantity ?? 1);
      if (newPrice.id !== oldPrice.id || newQuantity !== existing.quantity) {
        prorate(emu, sub, existing, oldPrice, existing.quantity ?? 0, now, -1, behavior);
        if (newPrice.id !== oldPrice.id && isMetered(oldPrice)) {
          billMeteredUsageSoFar(emu, sub, existing, oldPrice, now, behavior);
          existing._usage_from = now;
        }
        existing.price = newPrice.id;
        if (newQuantity === undefined) delete existing.quantity;
        else existing.quantity = newQuantity;
        if (
          newPrice.recurring.interval !== oldPrice.recurring.interval ||
          newPrice.recurring.interval_count !== oldPrice.recurring.interval_count
        ) {
          const fresh = newItem(emu, sub, newPrice, newQuantity, now);
          existing.current_period_start = fresh.current_period_start;
          existing.current_period_end = fresh.current_period_end;
          emu.store.remove('subscription_item', fresh.id);
        }
        prorate(emu, sub, existing, newPrice, newQuantity ?? 0, now, 1, behavior);
        changed = true;
      }
      if (change.metadata !== undefined) existing.metadata = mergeMetadata(existing.metadata, change.metadata);
      return;
    }
    if (!price)
      throw invalidParam(`items[${i}][price]`, `Missing required param: items[${i}][price].`, 'parameter_missing');
    if (itemsOf(emu, sub.id).some((it) => it.price === price.id)) {
      throw invalidParam(
        `items[${i}][price]`,
        `Cannot add multiple subscription items with the same plan: ${price.id}`,
      );
    }
    const item = newItem(emu, sub, price, quantity, now, mergeMetadata({}, change.metadata));
    prorate(emu, sub, item, price, item.quantity ?? 0, now, 1, behavior);
    changed = true;
  });
  if (changed && behavior === 'always_invoice') invoiceProrationsNow(emu, sub);
  if (changed) scheduleRenewal(emu, sub);
  return changed;
}

/** A pending invoice item for the unused (sign −1) or remaining (+1) part of a licensed item's period. */
function prorate(
  emu: Emu,
  sub: Obj,
  item: Obj,
  price: Obj,
  quantity: number,
  now: number,
  sign: 1 | -1,
  behavior: ProrationBehavior,
): void {
  if (behavior === 'none' || isMetered(price) || sub.status === 'incomplete') return;
  const { current_period_start: start, current_period_end: end } = item as {
    current_period_start: number;
    current_period_end: number;
  };
  if (now >= end || end <= start) return;
  const full = amountFor(price as never, quantity);
  const amount = sign * Math.round((full * (end - now)) / (end - start));
  if (amount === 0) return;
  const product = emu.store.get('product', price.product);
  emu.store.put({
    id: newId('ii'),
    object: 'invoiceitem',
    amount,
    currency: price.currency,
    customer: sub.customer,
    customer_account: null,
    date: now,
    description: `${sign < 0 ? 'Unused' : 'Remaining'} time on ${quantity} × ${product?.name ?? 'item'} after ${new Date(now * 1000).toISOString().slice(0, 10)}`,
    discountable: false,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    net_amount: amount,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: sub.id, subscription_item: item.id },
    },
    period: { start: now, end },
    pricing: {
      type: 'price_details',
      price_details: { price: price.id, product: price.product },
      unit_amount_decimal: String(amount),
    },
    proration: true,
    quantity: 1,
    quantity_decimal: '1',
    subscription: sub.id,
    tax_rates: [],
    test_clock: sub.test_clock ?? null,
    _subscription_item: item.id,
  });
}

/** The usage of a metered item's current window so far, through `price` (the one being removed), as a pending invoice item. */
function billMeteredUsageSoFar(
  emu: Emu,
  sub: Obj,
  item: Obj,
  price: Obj,
  now: number,
  behavior: ProrationBehavior,
): void {
  if (behavior === 'none' || !isMetered(price) || sub.status === 'incomplete') return;
  const from = usageWindowStart(item);
  if (now <= from) return;
  const quantity = meteredQuantity(emu, price, sub.customer, from, now);
  const amount = amountFor(price as never, quantity);
  const product = emu.store.get('product', price.product);
  emu.store.put({
    id: newId('ii'),
    object: 'invoiceitem',
    amount,
    currency: price.currency,
    customer: sub.customer,
    customer_account: null,
    date: now,
    description: `${quantity} × ${product?.name ?? 'item'} until ${new Date(now * 1000).toISOString().slice(0, 10)}`,
    discountable: true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    net_amount: amount,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: sub.id, subscription_item: item.id },
    },
    period: { start: from, end: now },
    pricing: {
      type: 'price_details',
      price_details: { price: price.id, product: price.product },
      unit_amount_decimal: null,
    },
    proration: true,
    quantity,
    quantity_decimal: String(quantity),
    subscription: sub.id,
    tax_rates: [],
    test_clock: sub.test_clock ?? null,
    _subscription_item: item.id,
  });
}

function invoiceProrationsNow(emu: Emu, sub: Obj): void {
  if (!emu.store.all('invoiceitem').some((x) => x.subscription === sub.id && x.invoice === null)) return;
  const customer = emu.store.get('customer', sub.customer) as Obj;
  const now = emu.nowFor(sub.customer);
  const invoice = newInvoice(emu, {
    customer,
    subscription: sub,
    billingReason: 'subscription_update',
    periodStart: now,
    periodEnd: now,
  });
  attachPendingItems(emu, sub, invoice);
  sub.latest_invoice = invoice.id;
  openDraft(emu, invoice, true);
  finalizeInvoice(emu, invoice);
  attemptPayment(emu, invoice);
}
