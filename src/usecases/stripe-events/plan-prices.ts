/**
 * A plan as the billing use cases need it: its terms and its Stripe prices. Checkout sells only plans whose
 * prices exist (written by `catalog sync`); the webhook handler maps a subscription's prices back to a plan.
 */
import { AppError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';

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

export interface PurchasablePlan extends PlanTerms {
  stripePriceId: string;
  stripeYearlyPriceId: string;
  stripeMeteredPriceId: string;
}

interface PlanRow {
  id: string;
  name: string;
  included_minutes: number;
  overage_rate_cents: number;
  currency: string;
  stripe_price_id: string | null;
  stripe_yearly_price_id: string | null;
  stripe_metered_price_id: string | null;
  active: boolean;
}

const COLUMNS = `id, name, included_minutes, overage_rate_cents, currency, stripe_price_id, stripe_yearly_price_id,
  stripe_metered_price_id, active`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toTerms = (r: PlanRow): PlanTerms => ({
  id: r.id,
  name: r.name,
  includedMinutes: Number(r.included_minutes),
  overageRateCents: Number(r.overage_rate_cents),
  currency: r.currency,
  stripePriceId: r.stripe_price_id,
  stripeYearlyPriceId: r.stripe_yearly_price_id,
  stripeMeteredPriceId: r.stripe_metered_price_id,
});

/** An active plan with all three Stripe prices, else 404 `plan_not_found` (unknown, retired or not synced). */
export async function loadPurchasablePlan(sql: Sql, planId: string): Promise<PurchasablePlan> {
  const rows = UUID.test(planId)
    ? await sql.query<PlanRow>(`select ${COLUMNS} from billing_plans where id = $1`, [planId])
    : [];
  const row = rows[0];
  if (!row?.active) throw new AppError('plan_not_found', 'There is no plan with this id.', { field: 'plan_id' });
  const plan = toTerms(row);
  if (!plan.stripePriceId || !plan.stripeYearlyPriceId || !plan.stripeMeteredPriceId) {
    throw new AppError('plan_not_found', 'This plan cannot be bought yet (its prices are not set up).', {
      field: 'plan_id',
    });
  }
  return plan as PurchasablePlan;
}

export async function findPlanById(sql: Sql, planId: string): Promise<PlanTerms | undefined> {
  if (!UUID.test(planId)) return undefined;
  const rows = await sql.query<PlanRow>(`select ${COLUMNS} from billing_plans where id = $1`, [planId]);
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
  const rows = await sql.query<PlanRow>(
    `select ${COLUMNS} from billing_plans
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
    'select id from billing_plans where stripe_metered_price_id = $1 limit 1',
    [priceId],
  );
  return rows.length > 0;
}
