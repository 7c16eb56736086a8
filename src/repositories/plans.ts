/**
 * billing_plans: the catalog as the database holds it (seeded from src/domain/catalog.ts), with the Stripe price
 * ids `catalog sync` stored. The one module that reads or writes the table.
 */
import { isUuid } from '../domain/uuid.ts';
import type { Sql } from '../ports/sql.ts';

/** One plan as `GET plans` answers it (docs/http-api.md#3-endpoints). */
export interface PublicPlan {
  id: string;
  name: string;
  included_minutes: number;
  currency: string;
  monthly_price_cents: number;
  yearly_price_cents: number;
  overage_rate_cents: number;
  setup_fee_cents: number;
  sort_order: number;
}

/** A plan as the billing use cases need it: its terms and its Stripe prices (null until `catalog sync`). */
export interface PlanTerms {
  id: string;
  name: string;
  includedMinutes: number;
  overageRateCents: number;
  currency: string;
  stripePriceId: string | null;
  stripeYearlyPriceId: string | null;
  stripeMeteredPriceId: string | null;
}

/** What `seedPlans` writes for one catalog plan; the Stripe price ids are not among them (they are sync's). */
export interface PlanSeed {
  code: string;
  name: string;
  includedMinutes: number;
  currency: string;
  monthlyPriceCents: number;
  yearlyPriceCents: number;
  overageRateCents: number;
  setupFeeCents: number;
  sortOrder: number;
}

interface TermsRow {
  id: string;
  name: string;
  included_minutes: number;
  overage_rate_cents: number;
  currency: string;
  stripe_price_id: string | null;
  stripe_yearly_price_id: string | null;
  stripe_metered_price_id: string | null;
}

const TERMS_COLUMNS = `id, name, included_minutes, overage_rate_cents, currency, stripe_price_id, stripe_yearly_price_id,
  stripe_metered_price_id`;

const toTerms = (r: TermsRow): PlanTerms => ({
  id: r.id,
  name: r.name,
  includedMinutes: Number(r.included_minutes),
  overageRateCents: Number(r.overage_rate_cents),
  currency: r.currency,
  stripePriceId: r.stripe_price_id,
  stripeYearlyPriceId: r.stripe_yearly_price_id,
  stripeMeteredPriceId: r.stripe_metered_price_id,
});

export async function listActivePlans(sql: Sql): Promise<PublicPlan[]> {
  return sql.query<PublicPlan>(
    `select id, name, included_minutes, currency, price_cents as monthly_price_cents, yearly_price_cents,
            overage_rate_cents, setup_fee_cents, sort_order
       from public.billing_plans
      where active
      order by sort_order, name`,
  );
}

/** Any plan, active or not (a subscriber keeps a retired plan). `undefined` for an unknown or malformed id. */
export async function findPlanById(sql: Sql, planId: string): Promise<PlanTerms | undefined> {
  if (!isUuid(planId)) return undefined; // a malformed id is "not found", not a cast error from PostgreSQL
  const rows = await sql.query<TermsRow>(`select ${TERMS_COLUMNS} from public.billing_plans where id = $1`, [planId]);
  return rows[0] ? toTerms(rows[0]) : undefined;
}

/** A plan that is on sale (active); `undefined` for an unknown, malformed or retired id. */
export async function findActivePlanById(sql: Sql, planId: string): Promise<PlanTerms | undefined> {
  if (!isUuid(planId)) return undefined;
  const rows = await sql.query<TermsRow>(`select ${TERMS_COLUMNS} from public.billing_plans where id = $1 and active`, [
    planId,
  ]);
  return rows[0] ? toTerms(rows[0]) : undefined;
}

/**
 * The plan one of these prices belongs to (flat monthly, flat yearly or metered), active or not. A FLAT price
 * decides first: while a plan change is half done (the flat price already replaced, the metered one not yet —
 * ensure-metered-item.ts replaces it) the subscription carries two plans' prices, and the flat item is what the
 * customer bought.
 */
export async function findPlanByPriceIds(sql: Sql, priceIds: string[]): Promise<PlanTerms | undefined> {
  if (priceIds.length === 0) return undefined;
  const rows = await sql.query<TermsRow>(
    `select ${TERMS_COLUMNS} from public.billing_plans
     where stripe_price_id = any($1::text[]) or stripe_yearly_price_id = any($1::text[])
        or stripe_metered_price_id = any($1::text[])
     order by (coalesce(stripe_price_id = any($1::text[]), false) or coalesce(stripe_yearly_price_id = any($1::text[]), false)) desc,
       active desc limit 1`,
    [priceIds],
  );
  return rows[0] ? toTerms(rows[0]) : undefined;
}

/** Whether this price is the metered price of one of our plans (usage of our meter). */
export async function isPlanMeteredPrice(sql: Sql, priceId: string): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    'select id from public.billing_plans where stripe_metered_price_id = $1 limit 1',
    [priceId],
  );
  return rows.length > 0;
}

/** Monthly price and catalog order of these plans, for ranking a change up or down (plan-change/plan-rank.ts). */
export async function readPlanRanks(
  sql: Sql,
  planIds: string[],
): Promise<{ id: string; monthlyPriceCents: number; sortOrder: number }[]> {
  const rows = await sql.query<{ id: string; price_cents: number; sort_order: number }>(
    'select id, price_cents, sort_order from public.billing_plans where id = any($1::uuid[])',
    [planIds],
  );
  return rows.map((r) => ({ id: r.id, monthlyPriceCents: Number(r.price_cents), sortOrder: Number(r.sort_order) }));
}

/** The Stripe price ids each plan on sale holds, for `doctor` to compare with what the lookup keys name. */
export async function listActivePlanPriceIds(sql: Sql): Promise<
  {
    code: string;
    stripe_price_id: string | null;
    stripe_yearly_price_id: string | null;
    stripe_metered_price_id: string | null;
  }[]
> {
  return sql.query(
    'select code, stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id from public.billing_plans where active',
  );
}

/**
 * Makes the row of `plan.code` hold these terms: an upsert by `code`, active again if it was retired. A row
 * already exactly so is not written (updated_at keeps its meaning). The Stripe price ids stored are never
 * touched: they belong to `catalog sync`, and wiping them would break Checkout until the next sync.
 */
export async function upsertPlan(sql: Sql, plan: PlanSeed): Promise<'inserted' | 'updated' | 'unchanged'> {
  const [row] = await sql.query<{ inserted: boolean }>(
    `insert into public.billing_plans
       (code, name, model_type, included_minutes, currency, price_cents, yearly_price_cents,
        overage_rate_cents, setup_fee_cents, sort_order, active)
     values ($1, $2, 'tiered', $3, $4, $5, $6, $7, $8, $9, true)
     on conflict (code) do update set
       name = excluded.name,
       model_type = excluded.model_type,
       included_minutes = excluded.included_minutes,
       currency = excluded.currency,
       price_cents = excluded.price_cents,
       yearly_price_cents = excluded.yearly_price_cents,
       overage_rate_cents = excluded.overage_rate_cents,
       setup_fee_cents = excluded.setup_fee_cents,
       sort_order = excluded.sort_order,
       active = true
     where (billing_plans.name, billing_plans.model_type, billing_plans.included_minutes,
            billing_plans.currency, billing_plans.price_cents, billing_plans.yearly_price_cents,
            billing_plans.overage_rate_cents, billing_plans.setup_fee_cents, billing_plans.sort_order,
            billing_plans.active)
           is distinct from
           (excluded.name, excluded.model_type, excluded.included_minutes, excluded.currency,
            excluded.price_cents, excluded.yearly_price_cents, excluded.overage_rate_cents,
            excluded.setup_fee_cents, excluded.sort_order, true)
     returning (xmax = 0) as inserted`,
    [
      plan.code,
      plan.name,
      plan.includedMinutes,
      plan.currency,
      plan.monthlyPriceCents,
      plan.yearlyPriceCents,
      plan.overageRateCents,
      plan.setupFeeCents,
      plan.sortOrder,
    ],
  );
  return row === undefined ? 'unchanged' : row.inserted ? 'inserted' : 'updated';
}

/**
 * Stores the Stripe price ids `catalog sync` found or made. A field left undefined keeps what is stored.
 * Returns false when no plan has that code.
 */
export async function savePlanPriceIds(
  sql: Sql,
  code: string,
  ids: { monthly?: string; yearly?: string; metered?: string },
): Promise<boolean> {
  const rows = await sql.query(
    `update public.billing_plans
        set stripe_price_id = coalesce($2, stripe_price_id),
            stripe_yearly_price_id = coalesce($3, stripe_yearly_price_id),
            stripe_metered_price_id = coalesce($4, stripe_metered_price_id)
      where code = $1
      returning id`,
    [code, ids.monthly ?? null, ids.yearly ?? null, ids.metered ?? null],
  );
  return rows.length > 0;
}
