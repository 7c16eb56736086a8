/** billing_plans: the catalog as the database holds it (seeded from src/domain/catalog.ts). */
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

/** The whole row, for checkout and catalog sync. */
export interface PlanRow {
  id: string;
  code: string;
  name: string;
  model_type: string;
  included_minutes: number;
  currency: string;
  price_cents: number;
  yearly_price_cents: number;
  overage_rate_cents: number;
  setup_fee_cents: number;
  stripe_price_id: string | null;
  stripe_yearly_price_id: string | null;
  stripe_metered_price_id: string | null;
  sort_order: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const PLAN_COLUMNS = `id, code, name, model_type, included_minutes, currency, price_cents, yearly_price_cents,
  overage_rate_cents, setup_fee_cents, stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id,
  sort_order, active, created_at, updated_at`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
export async function getPlanById(sql: Sql, id: string): Promise<PlanRow | undefined> {
  if (!UUID.test(id)) return undefined; // a malformed id is "not found", not a cast error from PostgreSQL
  const [row] = await sql.query<PlanRow>(`select ${PLAN_COLUMNS} from public.billing_plans where id = $1`, [id]);
  return row;
}

export async function getPlanByCode(sql: Sql, code: string): Promise<PlanRow | undefined> {
  const [row] = await sql.query<PlanRow>(`select ${PLAN_COLUMNS} from public.billing_plans where code = $1`, [code]);
  return row;
}

/**
 * Which plan a Stripe price belongs to (webhooks read the plan off the subscription's items), with the
 * billing period it stands for. Metered prices identify the plan but not the period.
 */
export async function getPlanByStripePriceId(
  sql: Sql,
  priceId: string,
): Promise<{ plan: PlanRow; kind: 'monthly' | 'yearly' | 'metered' } | undefined> {
  const [row] = await sql.query<PlanRow>(
    `select ${PLAN_COLUMNS} from public.billing_plans
      where $1 in (stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id)
      limit 1`,
    [priceId],
  );
  if (!row) return undefined;
  const kind =
    row.stripe_price_id === priceId ? 'monthly' : row.stripe_yearly_price_id === priceId ? 'yearly' : 'metered';
  return { plan: row, kind };
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
