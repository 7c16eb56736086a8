/**
 * `POST /v1/invoices/create_preview` (docs.stripe.com/api/invoices/create_preview): the subscription's next
 * invoice as it would be with `subscription_details.items` applied at `proration_date` (default now): prorations
 * for re-priced licensed items (unused time credited, remaining time charged, as subscription-update.ts creates
 * them), the usage so far through the old metered price, the next period's fees at the new prices, and pending
 * invoice items. Nothing is stored or changed: the draft is built, rendered and removed.
 */
import type { Emu } from '../emu.ts';
import { invalidParam } from '../errors.ts';
import type { Params } from '../form.ts';
import { allowOnly, arr, int, obj, requiredStr, str } from '../params.ts';
import { render } from '../render.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { newInvoice, recomputeTotals } from '../billing/invoices.ts';
import { addLine, linesOf } from '../billing/lines.ts';
import { nextBoundary, type Interval } from '../billing/periods.ts';
import { isMetered, itemsOf, priceOf, usageWindowStart } from '../billing/subscription-model.ts';
import { amountFor } from '../billing/tiers.ts';
import { getSubscription } from './subscriptions.ts';

function preview(emu: Emu, p: Params): Obj {
  allowOnly(p, ['customer', 'subscription', 'subscription_details', 'preview_mode', 'automatic_tax']);
  const sub = getSubscription(emu, requiredStr(p, 'subscription'), 'subscription');
  if (p.customer !== undefined && str(p, 'customer') !== sub.customer)
    throw invalidParam('customer', 'The subscription does not belong to this customer.');
  const details = obj(p, 'subscription_details') ?? {};
  const changes = (arr(details, 'items') ?? []) as Params[];
  const behavior = str(details, 'proration_behavior') ?? 'create_prorations';
  const at = int(details.proration_date, 'subscription_details[proration_date]') ?? emu.nowFor(sub.customer);
  const items = itemsOf(emu, sub.id);
  const start = Math.min(...items.map((i) => i.current_period_start as number));
  const end = Math.min(...items.map((i) => i.current_period_end as number));
  const customer = emu.store.require('customer', sub.customer);
  const invoice = newInvoice(emu, {
    customer,
    subscription: sub,
    billingReason: 'upcoming',
    periodStart: start,
    periodEnd: end,
  });
  try {
    for (const item of items) {
      const change = changes.find((c) => c.id === item.id);
      const oldPrice = priceOf(emu, item);
      const newPrice = change?.price
        ? emu.store.require('price', String(change.price), 'subscription_details[items][][price]')
        : oldPrice;
      const [itemStart, itemEnd] = [item.current_period_start as number, item.current_period_end as number];
      const base = { subscription: sub.id, subscriptionItem: item.id };
      if (isMetered(oldPrice)) {
        const from = usageWindowStart(item);
        const swapped = newPrice.id !== oldPrice.id;
        addLine(emu, invoice, {
          ...base,
          price: oldPrice,
          quantity: 0,
          period: { start: from, end: swapped ? at : itemEnd },
          usage: { customer: sub.customer, from, to: swapped ? at : itemEnd },
          proration: swapped,
        });
        if (swapped)
          addLine(emu, invoice, {
            ...base,
            price: newPrice,
            quantity: 0,
            period: { start: at, end: itemEnd },
            usage: { customer: sub.customer, from: at, to: itemEnd },
          });
        continue;
      }
      const quantity = item.quantity ?? 1;
      if (newPrice.id !== oldPrice.id && behavior !== 'none' && at < itemEnd) {
        const part = (price: Obj) =>
          Math.round((amountFor(price as never, quantity) * (itemEnd - at)) / (itemEnd - itemStart));
        addLine(emu, invoice, {
          ...base,
          price: oldPrice,
          quantity,
          period: { start: at, end: itemEnd },
          proration: true,
          amountOverride: -part(oldPrice),
          description: `Unused time on ${quantity} × ${productName(emu, oldPrice)}`,
        });
        addLine(emu, invoice, {
          ...base,
          price: newPrice,
          quantity,
          period: { start: at, end: itemEnd },
          proration: true,
          amountOverride: part(newPrice),
          description: `Remaining time on ${quantity} × ${productName(emu, newPrice)}`,
        });
      }
      if (itemEnd <= end) {
        const rec = newPrice.recurring as { interval: Interval; interval_count: number };
        addLine(emu, invoice, {
          ...base,
          price: newPrice,
          quantity,
          period: {
            start: itemEnd,
            end: nextBoundary(sub.billing_cycle_anchor, rec.interval, rec.interval_count, itemEnd),
          },
        });
      }
    }
    for (const ii of emu.store.all('invoiceitem').filter((x) => x.subscription === sub.id && x.invoice === null)) {
      const price = emu.store.require('price', ii.pricing.price_details.price);
      addLine(emu, invoice, {
        price,
        quantity: ii.quantity,
        period: ii.period,
        subscription: sub.id,
        subscriptionItem: ii._subscription_item,
        proration: ii.proration,
        amountOverride: ii.amount,
        description: ii.description,
      });
    }
    recomputeTotals(emu, invoice);
    const rendered = render(invoice, emu.store);
    rendered.id = `upcoming_${invoice.id}`; // previews have no stored invoice behind them
    return rendered;
  } finally {
    for (const line of linesOf(emu, invoice.id)) emu.store.remove('line_item', line.id);
    emu.store.remove('invoice', invoice.id);
  }
}

const productName = (emu: Emu, price: Obj) => emu.store.get('product', price.product)?.name ?? 'item';

export const invoicePreviewRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/invoices/create_preview', api: (req, emu) => preview(emu, req.params) },
];
