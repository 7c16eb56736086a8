/**
 * Turns a stored object into what the API answers: a deep copy with derived lists filled in
 * (`subscription.items`, `invoice.lines`), includable fields dropped unless expanded (`price.tiers`,
 * `checkout.session.line_items`: docs.stripe.com/expand#includable-properties), and `expand[]` applied,
 * including nested paths such as `items.data.price` or `data.tiers` on lists.
 */
import type { Obj, Store } from './store.ts';
import { listOf } from './list.ts';
import { invalidRequest } from './errors.ts';
import { kindOfId } from './ids.ts';

type Includer = (obj: Obj, store: Store) => unknown;

/** Fields Stripe leaves out unless expanded. */
const INCLUDABLE: Record<string, Record<string, Includer>> = {
  price: { tiers: (o, s) => structuredClone(s.get('price', o.id)?.tiers ?? null) },
  'checkout.session': {
    line_items: (o, s) =>
      listOf(
        (s.get('checkout.session', o.id)?._line_items ?? []).map((i: Obj) => render(i, s)),
        `/v1/checkout/sessions/${o.id}/line_items`,
      ),
  },
};

export function render(stored: Obj, store: Store): Obj {
  const obj = structuredClone(stored);
  for (const key of Object.keys(obj)) if (key.startsWith('_')) delete obj[key]; // internal bookkeeping
  switch (obj.object) {
    case 'price':
      delete obj.tiers;
      break;
    case 'subscription': {
      const items = store
        .all('subscription_item')
        .filter((i) => i.subscription === obj.id && !i._deleted)
        .reverse();
      obj.items = listOf(
        items.map((i) => render(i, store)),
        `/v1/subscription_items?subscription=${obj.id}`,
      );
      break;
    }
    case 'subscription_item': {
      const price = store.get('price', obj.price);
      if (price) {
        obj.price = render(price, store);
        obj.plan = planOf(obj.price);
      }
      break;
    }
    case 'item': {
      const price = store.get('price', obj.price);
      if (price) obj.price = render(price, store);
      break;
    }
    case 'invoice': {
      if (String(obj.id).startsWith('upcoming_')) break; // a preview carries its own lines (resources/invoice-preview.ts)
      const lines = store
        .all('line_item')
        .filter((l) => l.invoice === obj.id)
        .reverse();
      obj.lines = listOf(
        lines.map((l) => render(l, store)),
        `/v1/invoices/${obj.id}/lines`,
      );
      break;
    }
  }
  return obj;
}

/** The legacy `plan` view of a recurring price, still present on subscription items. */
function planOf(price: Obj): Obj | null {
  if (!price.recurring) return null;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring.interval,
    interval_count: price.recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: price.recurring.meter ?? null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: price.tiers_mode,
    transform_usage: null,
    trial_period_days: null,
    usage_type: price.recurring.usage_type,
  };
}

/** Applies `expand[]` paths to an already rendered object or list. */
export function applyExpand(value: Obj, paths: string[], store: Store): Obj {
  for (const path of paths) expandPath(value, path.split('.'), store);
  return value;
}

function expandPath(node: unknown, segs: string[], store: Store): void {
  if (node === null || typeof node !== 'object' || segs.length === 0) return;
  if (Array.isArray(node)) {
    for (const n of node) expandPath(n, segs, store);
    return;
  }
  const obj = node as Obj;
  const [seg, ...rest] = segs as [string, ...string[]];
  const include = INCLUDABLE[obj.object as string]?.[seg];
  if (include && obj[seg] === undefined) obj[seg] = include(obj, store);
  const value = obj[seg];
  // Stripe refuses to expand what is not an expandable reference (docs.stripe.com/expand).
  if (
    value === undefined ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && !kindOfId(value))
  ) {
    throw invalidRequest(`This property cannot be expanded (${seg}).`, 'expand');
  }
  if (typeof value === 'string') {
    const target = store.byId(value);
    if (target) obj[seg] = render(target, store);
  }
  expandPath(obj[seg], rest, store);
}
