/**
 * Makes a Stripe account hold the catalog (src/domain/catalog.ts): the meter, a product per plan (+ the setup fee
 * product), monthly/yearly flat prices, a monthly metered graduated price per plan and the one-time setup fee.
 * Found by lookup_key / metadata, or created; never duplicated on a re-run. A price found with other amounts is
 * not edited (Stripe prices are immutable, https://docs.stripe.com/products-prices/manage-prices#edit-price):
 * a new one is created and the lookup key transferred to it (`transfer_lookup_key`), reported as `replaced`.
 * Setup → compute → execute, as autumn's billing actions do: `dryRun` stops after compute.
 */
import type Stripe from 'stripe';
import type { StripeMode } from '../config/types.ts';
import { METER, type PlanCode } from '../domain/catalog.ts';
import type { Logger } from '../ports/logger.ts';
import type { Sql } from '../ports/sql.ts';
import { savePlanPriceIds } from '../repositories/plans.ts';
import { desiredPrices, desiredProducts, priceCreateParams, priceMatches } from './catalog/desired-catalog.ts';

export type CatalogRowStatus = 'found' | 'created' | 'would-create' | 'replaced';

export interface CatalogRow {
  kind: 'meter' | 'product' | 'price';
  key: string;
  status: CatalogRowStatus;
  id: string | null;
}

export interface CatalogSyncResult {
  rows: CatalogRow[];
  /** The one-time setup fee price (null in a dry run that would create it). */
  setupFeePriceId: string | null;
  /** Per plan code: its price ids (only what exists). */
  planPriceIds: Partial<Record<PlanCode, { monthly?: string; yearly?: string; metered?: string }>>;
}

export class LiveModeRefusedError extends Error {
  constructor() {
    super('STRIPE_SECRET_KEY is a live key: catalog sync changes real products and prices only with --live.');
    this.name = 'LiveModeRefusedError';
  }
}

export interface SyncCatalogDeps {
  stripe: Stripe;
  mode: StripeMode;
  /** When given, the price ids are written into billing_plans (not in a dry run). */
  sql?: Sql;
  logger?: Logger;
}

export async function syncCatalog(
  deps: SyncCatalogDeps,
  opts: { dryRun?: boolean; allowLive?: boolean } = {},
): Promise<CatalogSyncResult> {
  if (deps.mode === 'live' && !opts.allowLive) throw new LiveModeRefusedError();
  const dryRun = opts.dryRun ?? false;
  const { stripe } = deps;
  const rows: CatalogRow[] = [];

  // Meter: there is no lookup key for meters; the event name is unique among active meters.
  const meters = await stripe.billing.meters
    .list({ status: 'active', limit: 100 })
    .autoPagingToArray({ limit: 10_000 });
  let meterId = meters.find((m) => m.event_name === METER.eventName)?.id;
  if (meterId) rows.push({ kind: 'meter', key: METER.eventName, status: 'found', id: meterId });
  else if (dryRun) rows.push({ kind: 'meter', key: METER.eventName, status: 'would-create', id: null });
  else {
    const meter = await stripe.billing.meters.create({
      display_name: METER.displayName,
      event_name: METER.eventName,
      default_aggregation: { formula: 'sum' },
      // report-usage sends the customer id under this key (https://docs.stripe.com/api/billing/meter/create).
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' },
    });
    meterId = meter.id;
    rows.push({ kind: 'meter', key: METER.eventName, status: 'created', id: meterId });
  }

  // Products by our metadata key (products have no lookup_key).
  const products = await stripe.products.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
  const productIds = new Map<string, string>();
  for (const want of desiredProducts()) {
    const found = products.find((p) => p.active && p.metadata?.aisyst_lookup_key === want.key);
    if (found) {
      productIds.set(want.key, found.id);
      rows.push({ kind: 'product', key: want.key, status: 'found', id: found.id });
    } else if (dryRun) {
      rows.push({ kind: 'product', key: want.key, status: 'would-create', id: null });
    } else {
      const created = await stripe.products.create({
        name: want.name,
        metadata: { aisyst_lookup_key: want.key, ...(want.planCode ? { plan_code: want.planCode } : {}) },
      });
      productIds.set(want.key, created.id);
      rows.push({ kind: 'product', key: want.key, status: 'created', id: created.id });
    }
  }

  // Prices by lookup key; tiers are only returned when expanded (https://docs.stripe.com/api/prices/object#price_object-tiers).
  const wanted = desiredPrices();
  const existing = await stripe.prices
    .list({ lookup_keys: wanted.map((p) => p.lookupKey), expand: ['data.tiers'], limit: 100 })
    .autoPagingToArray({ limit: 1_000 });
  const result: CatalogSyncResult = { rows, setupFeePriceId: null, planPriceIds: {} };
  for (const want of wanted) {
    const productId = productIds.get(want.productKey);
    const found = existing.find((p) => p.lookup_key === want.lookupKey);
    const sameProduct =
      found !== undefined &&
      productId !== undefined &&
      (typeof found.product === 'string' ? found.product : found.product.id) === productId;
    let id: string | null;
    if (found && sameProduct && priceMatches(found, want.shape, meterId)) {
      id = found.id;
      rows.push({ kind: 'price', key: want.lookupKey, status: 'found', id });
    } else if (dryRun || !productId || !meterId) {
      id = null;
      rows.push({ kind: 'price', key: want.lookupKey, status: found ? 'replaced' : 'would-create', id: null });
    } else {
      const created = await stripe.prices.create(priceCreateParams(want, productId, meterId, found !== undefined));
      id = created.id;
      rows.push({ kind: 'price', key: want.lookupKey, status: found ? 'replaced' : 'created', id });
      if (found)
        deps.logger?.warn('catalog price replaced: amounts differed, the lookup key now points at the new price', {
          lookup_key: want.lookupKey,
          old: found.id,
          new: id,
        });
    }
    if (!id) continue;
    if (want.role === 'setup_fee') result.setupFeePriceId = id;
    else if (want.planCode)
      result.planPriceIds[want.planCode] = { ...result.planPriceIds[want.planCode], [want.role]: id };
  }

  if (deps.sql && !dryRun) {
    for (const [code, ids] of Object.entries(result.planPriceIds)) await savePlanPriceIds(deps.sql, code, ids);
  }
  return result;
}

/** The plan as a table, for the CLI. */
export function formatCatalogRows(rows: CatalogRow[]): string {
  const header = ['kind', 'key', 'status', 'id'];
  const cells = rows.map((r) => [r.kind, r.key, r.status, r.id ?? '—']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
