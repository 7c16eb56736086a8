/**
 * Prices (docs.stripe.com/api/prices): one-time, recurring licensed, metered (`recurring.meter`,
 * `usage_type=metered`), tiered graduated/volume with `up_to: 'inf'`; `lookup_key` (+ `transfer_lookup_key`);
 * `tiers` is includable only (`expand[]=tiers`).
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { invalidParam, invalidRequest, missingParam, notFound } from '../errors.ts';
import type { FormValue, Params } from '../form.ts';
import { newId } from '../ids.ts';
import { allowOnly, bool, int, mergeMetadata, obj, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';

const FIELDS = [
  'currency',
  'product',
  'product_data',
  'unit_amount',
  'unit_amount_decimal',
  'recurring',
  'billing_scheme',
  'tiers_mode',
  'tiers',
  'lookup_key',
  'transfer_lookup_key',
  'nickname',
  'metadata',
  'active',
  'tax_behavior',
];

export function getPrice(emu: Emu, id: string, param = 'price'): Obj {
  return emu.store.require('price', id, param);
}

function parseTiers(raw: FormValue | undefined): Obj[] {
  if (!Array.isArray(raw) || raw.length === 0) throw missingParam('tiers');
  const tiers = raw.map((t, i) => {
    const tier = t as Params;
    const upTo = tier.up_to === 'inf' ? null : int(tier.up_to, `tiers[${i}][up_to]`);
    if (upTo === undefined) throw missingParam(`tiers[${i}][up_to]`);
    const unit = int(tier.unit_amount, `tiers[${i}][unit_amount]`) ?? null;
    const flat = int(tier.flat_amount, `tiers[${i}][flat_amount]`) ?? null;
    return {
      flat_amount: flat,
      flat_amount_decimal: flat === null ? null : String(flat),
      unit_amount: unit,
      unit_amount_decimal: unit === null ? null : String(unit),
      up_to: upTo,
    };
  });
  if (tiers[tiers.length - 1]?.up_to !== null) throw invalidParam('tiers', "The last tier's up_to must be `inf`.");
  return tiers;
}

function createPrice(emu: Emu, p: Params): Obj {
  allowOnly(p, FIELDS);
  const currency = requiredStr(p, 'currency').toLowerCase();
  let productId = str(p, 'product');
  const productData = obj(p, 'product_data');
  if (!productId && !productData) throw missingParam('product');
  if (productId && !emu.store.get('product', productId)) throw notFound('product', productId, 'product');
  if (productData) {
    productId = newId('prod', 14);
    emu.store.put({
      id: productId,
      object: 'product',
      active: true,
      created: emu.realNow(),
      default_price: null,
      description: null,
      images: [],
      livemode: false,
      marketing_features: [],
      metadata: mergeMetadata({}, productData.metadata),
      name: String(productData.name ?? ''),
      package_dimensions: null,
      shippable: null,
      statement_descriptor: null,
      tax_code: null,
      type: 'service',
      unit_label: null,
      updated: emu.realNow(),
      url: null,
    });
  }
  const scheme = (str(p, 'billing_scheme') ?? 'per_unit') as Stripe.Price.BillingScheme;
  const rec = obj(p, 'recurring');
  let recurring: Stripe.Price.Recurring | null = null;
  if (rec) {
    const interval = rec.interval as Stripe.Price.Recurring.Interval | undefined;
    if (!interval || !['day', 'week', 'month', 'year'].includes(interval))
      throw invalidParam(
        'recurring[interval]',
        'Invalid recurring[interval]: must be one of day, week, month, or year',
      );
    const usageType = (rec.usage_type as Stripe.Price.Recurring.UsageType | undefined) ?? 'licensed';
    const meter = rec.meter as string | undefined;
    // Since 2025-03-31.basil metered prices must be backed by a Billing Meter (docs.stripe.com/changelog/basil).
    if (usageType === 'metered' && !meter) throw missingParam('recurring[meter]');
    if (meter && !emu.store.get('billing.meter', meter)) throw notFound('billing.meter', meter, 'recurring[meter]');
    recurring = {
      interval,
      interval_count: int(rec.interval_count, 'recurring[interval_count]') ?? 1,
      meter: meter ?? null,
      trial_period_days: null,
      usage_type: usageType,
    } as Stripe.Price.Recurring;
  }
  const tiersMode = (str(p, 'tiers_mode') ?? null) as Stripe.Price.TiersMode | null;
  const tiers = scheme === 'tiered' ? parseTiers(p.tiers) : undefined;
  if (scheme === 'tiered' && !tiersMode) throw missingParam('tiers_mode');
  const unitAmount =
    int(p.unit_amount, 'unit_amount') ??
    (p.unit_amount_decimal !== undefined ? Math.round(Number(p.unit_amount_decimal)) : null);
  if (scheme === 'per_unit' && unitAmount === null) throw missingParam('unit_amount');
  const lookupKey = str(p, 'lookup_key') ?? null;
  if (lookupKey) {
    const holder = emu.store.all('price').find((x) => x.lookup_key === lookupKey);
    if (holder && bool(p.transfer_lookup_key, 'transfer_lookup_key') !== true) {
      throw invalidParam('lookup_key', `A price (\`${holder.id}\`) already uses that lookup key.`);
    }
    if (holder) holder.lookup_key = null;
  }
  const price: Partial<Stripe.Price> & Obj = {
    id: newId('price'),
    object: 'price',
    active: bool(p.active, 'active') ?? true,
    billing_scheme: scheme,
    created: emu.realNow(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: mergeMetadata({}, p.metadata),
    nickname: str(p, 'nickname') ?? null,
    product: productId as string,
    recurring,
    tax_behavior: 'unspecified',
    tiers_mode: tiersMode,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
  };
  (price as Obj).unit_amount_decimal = unitAmount === null ? null : String(unitAmount); // a decimal string on the wire
  if (tiers) (price as Obj).tiers = tiers;
  const stored = emu.store.put(price);
  emu.emit('price.created', stored);
  return stored;
}

export const priceRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/prices', api: (req, emu) => createPrice(emu, req.params) },
  { method: 'GET', pattern: '/v1/prices/:id', api: (req, emu) => getPrice(emu, req.path_params.id as string, 'id') },
  {
    method: 'POST',
    pattern: '/v1/prices/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['active', 'metadata', 'nickname', 'lookup_key', 'transfer_lookup_key', 'tax_behavior']);
      const price = getPrice(emu, req.path_params.id as string, 'id');
      const previous: Obj = {};
      const active = bool(req.params.active, 'active');
      if (active !== undefined) [previous.active, price.active] = [price.active, active];
      if (req.params.nickname !== undefined)
        [previous.nickname, price.nickname] = [price.nickname, str(req.params, 'nickname') || null];
      if (req.params.metadata !== undefined)
        [previous.metadata, price.metadata] = [price.metadata, mergeMetadata(price.metadata, req.params.metadata)];
      const lookupKey = str(req.params, 'lookup_key');
      if (lookupKey !== undefined) {
        const holder = emu.store.all('price').find((x) => x.lookup_key === lookupKey && x.id !== price.id);
        if (holder && bool(req.params.transfer_lookup_key, 'transfer_lookup_key') !== true)
          throw invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
        if (holder) holder.lookup_key = null;
        [previous.lookup_key, price.lookup_key] = [price.lookup_key, lookupKey || null];
      }
      emu.store.changed();
      emu.emit('price.updated', price, previous);
      return price;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/prices',
    api: (req, emu) => {
      const q = req.params;
      const keys = q.lookup_keys === undefined ? undefined : ([] as FormValue[]).concat(q.lookup_keys).map(String);
      const rec = obj(q, 'recurring');
      return emu.store
        .all('price')
        .filter(
          (p) =>
            (keys === undefined || keys.includes(p.lookup_key)) &&
            (q.active === undefined || String(p.active) === q.active) &&
            (q.product === undefined || p.product === q.product) &&
            (q.type === undefined || p.type === q.type) &&
            (q.currency === undefined || p.currency === q.currency) &&
            (rec?.interval === undefined || p.recurring?.interval === rec.interval) &&
            (rec?.usage_type === undefined || p.recurring?.usage_type === rec.usage_type),
        );
    },
  },
];
