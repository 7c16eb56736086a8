/**
 * Rows other suites need, written as the backend (service role) would: RLS does not apply. Re-exported by
 * ./database.ts, so that suites import everything database-related from one place.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../src/ports/sql.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';

/** A `billing_plans` row as tests read it back (the product looks plans up by id or by price, never by code). */
export interface PlanRow {
  id: string;
  code: string;
  name: string;
  included_minutes: number;
  price_cents: number;
  yearly_price_cents: number;
  overage_rate_cents: number;
  setup_fee_cents: number;
  stripe_price_id: string | null;
  stripe_yearly_price_id: string | null;
  stripe_metered_price_id: string | null;
  active: boolean;
}

export async function planByCode(sql: Sql, code: string): Promise<PlanRow | undefined> {
  const [row] = await sql.query<PlanRow>(
    `select id, code, name, included_minutes, price_cents, yearly_price_cents, overage_rate_cents, setup_fee_cents,
            stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id, active
       from public.billing_plans where code = $1`,
    [code],
  );
  return row;
}

export interface UserAndOrganisation {
  userId: string;
  email: string;
  orgId: string;
}

/** An auth user owning one organisation (written as the service role would: RLS does not apply). */
export async function createUserAndOrganisation(
  sql: Sql,
  options: { email?: string; orgName?: string; stripeCustomerId?: string | null } = {},
): Promise<UserAndOrganisation> {
  const email = options.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const [user] = await sql.query<{ id: string }>('insert into auth.users (email) values ($1) returning id', [email]);
  const [org] = await sql.query<{ id: string }>(
    'insert into public.organisations (name, owner_id, stripe_customer_id) values ($1, $2, $3) returning id',
    [options.orgName ?? 'Acme Voice', user!.id, options.stripeCustomerId ?? null],
  );
  return { userId: user!.id, email, orgId: org!.id };
}

/**
 * Runs `work` as a signed-in user would reach the database through PostgREST: role `authenticated` (or
 * `anon` with `userId: null`) and the JWT claims in `request.jwt.claims`, inside a transaction rolled back after.
 */
export async function asUser<T>(sql: Sql, userId: string | null, work: (tx: Sql) => Promise<T>): Promise<T> {
  let result: T | undefined;
  const done = new Error('rollback');
  try {
    await sql.transaction(async (tx) => {
      const role = userId === null ? 'anon' : 'authenticated';
      const claims = JSON.stringify(userId === null ? { role } : { sub: userId, role, aud: 'authenticated' });
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [claims]);
      await tx.exec(`set local role ${role}`);
      result = await work(tx);
      throw done;
    });
  } catch (error) {
    if (error !== done) throw error;
  }
  return result as T;
}

export interface SubscriptionWithCycle {
  planId: string;
  subscriptionId: string;
  cycleId: string;
}

/**
 * A subscription of the organisation to a catalog plan (the catalog is seeded if missing) and its billing
 * cycle for [periodStart, periodEnd) with the plan's terms.
 */
export async function createSubscriptionWithCycle(
  sql: Sql,
  options: {
    orgId: string;
    periodStart: Date;
    periodEnd: Date;
    planCode?: string;
    status?: string;
    billingPeriod?: 'monthly' | 'yearly';
    stripeSubscriptionId?: string;
    stripeCustomerId?: string | null;
    cycleStatus?: 'active' | 'closed';
  },
): Promise<SubscriptionWithCycle> {
  const planCode = options.planCode ?? 'starter';
  let plan = await planByCode(sql, planCode);
  if (!plan) {
    await seedPlans(sql);
    plan = await planByCode(sql, planCode);
  }
  if (!plan) throw new Error(`no plan ${planCode} in the catalog`);
  const [sub] = await sql.query<{ id: string }>(
    `insert into public.subscriptions (org_id, plan_id, stripe_subscription_id, stripe_customer_id, status,
       billing_period, current_period_start, current_period_end)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [
      options.orgId,
      plan.id,
      options.stripeSubscriptionId ?? `sub_test_${randomUUID().replaceAll('-', '').slice(0, 14)}`,
      options.stripeCustomerId === undefined
        ? `cus_test_${randomUUID().replaceAll('-', '').slice(0, 14)}`
        : options.stripeCustomerId,
      options.status ?? 'active',
      options.billingPeriod ?? 'monthly',
      options.periodStart,
      options.periodEnd,
    ],
  );
  const cycleId = await addBillingCycle(sql, {
    subscriptionId: sub!.id,
    orgId: options.orgId,
    periodStart: options.periodStart,
    periodEnd: options.periodEnd,
    includedMinutes: plan.included_minutes,
    overageRateCents: plan.overage_rate_cents,
    status: options.cycleStatus ?? 'active',
  });
  return { planId: plan.id, subscriptionId: sub!.id, cycleId };
}

export async function addBillingCycle(
  sql: Sql,
  c: {
    subscriptionId: string;
    orgId: string;
    periodStart: Date;
    periodEnd: Date;
    includedMinutes: number;
    overageRateCents: number;
    status?: 'active' | 'closed';
  },
): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `insert into public.billing_cycles (subscription_id, org_id, period_start, period_end, status, included_minutes,
       overage_rate_cents, currency)
     values ($1, $2, $3, $4, $5, $6, $7, 'eur') returning id`,
    [
      c.subscriptionId,
      c.orgId,
      c.periodStart,
      c.periodEnd,
      c.status ?? 'active',
      c.includedMinutes,
      c.overageRateCents,
    ],
  );
  return row!.id;
}
