/** The database refuses rows that would break the billing rules, whatever code writes them. */
import { expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

async function refuses(sql: Sql, text: string, params: unknown[], constraint: RegExp): Promise<void> {
  await expect(sql.query(text, params)).rejects.toThrow(constraint);
}

describeEachDatabase('constraints', (db) => {
  it('organisations: a name of 1–200 characters, an existing owner, one organisation per Stripe customer', async () => {
    const { userId } = await createUserAndOrganisation(db.sql, { stripeCustomerId: 'cus_taken' });
    const insert = 'insert into organisations (name, owner_id, stripe_customer_id) values ($1, $2, $3)';
    await refuses(db.sql, insert, ['', userId, null], /organisations_name_check/);
    await refuses(db.sql, insert, ['x'.repeat(201), userId, null], /organisations_name_check/);
    await refuses(
      db.sql,
      insert,
      ['Ghost', '00000000-0000-4000-8000-000000000000', null],
      /organisations_owner_id_fkey/,
    );
    await refuses(db.sql, insert, ['Copycat', userId, 'cus_taken'], /organisations_stripe_customer_id_key/);
    await db.sql.query(insert, ['Second org without customer', userId, null]);
    await db.sql.query(insert, ['Third org without customer', userId, null]); // NULLs do not collide
  });

  it('billing_plans: a unique catalog code, a lower-case currency, no negative amounts', async () => {
    const insert = `insert into billing_plans (code, name, included_minutes, currency, price_cents, yearly_price_cents,
                      overage_rate_cents, setup_fee_cents) values ($1, 'Plan', $2, $3, $4, 0, $5, 0)`;
    await db.sql.query(insert, ['starter', 500, 'eur', 20_400, 50]);
    await refuses(db.sql, insert, ['starter', 500, 'eur', 20_400, 50], /billing_plans_code_key/);
    await refuses(db.sql, insert, ['Not A Code', 500, 'eur', 1, 50], /billing_plans_code_check/);
    await refuses(db.sql, insert, ['cheap', 500, 'EUR', 1, 50], /billing_plans_currency_check/);
    await refuses(db.sql, insert, ['negative', 500, 'eur', -1, 50], /billing_plans_price_cents_check/);
    await refuses(db.sql, insert, ['minus', -5, 'eur', 1, 50], /billing_plans_included_minutes_check/);
    await refuses(db.sql, insert, ['free_overage', 500, 'eur', 1, -50], /billing_plans_overage_rate_cents_check/);
  });

  it("subscriptions: Stripe's statuses only, monthly or yearly, one live subscription per organisation", async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { planId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, status: 'active' });
    const insert = `insert into subscriptions (org_id, plan_id, stripe_subscription_id, status, billing_period)
                    values ($1, $2, $3, $4, $5)`;
    await refuses(
      db.sql,
      insert,
      [orgId, planId, 'sub_bad_status', 'cancelled', 'monthly'],
      /subscriptions_status_check/,
    );
    await refuses(
      db.sql,
      insert,
      [orgId, planId, 'sub_weekly', 'canceled', 'weekly'],
      /subscriptions_billing_period_check/,
    );
    await refuses(
      db.sql,
      insert,
      [orgId, planId, 'sub_second_live', 'past_due', 'monthly'],
      /subscriptions_one_live_per_org/,
    );
    // Ended or never-paid subscriptions do not block a new one.
    await db.sql.query(insert, [orgId, planId, 'sub_old', 'canceled', 'monthly']);
    await db.sql.query(insert, [orgId, planId, 'sub_abandoned', 'incomplete_expired', 'yearly']);
    await db.sql.query(insert, [orgId, planId, 'sub_pending', 'incomplete', 'yearly']);
    await refuses(
      db.sql,
      insert,
      [orgId, planId, 'sub_old', 'canceled', 'monthly'],
      /subscriptions_stripe_subscription_id_key/,
    );
  });

  it('subscriptions: an update carrying older Stripe state than the row holds is skipped (newer wins)', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const sync = (status: string, at: string) =>
      db.sql.query('update subscriptions set status = $2, stripe_synced_at = $3 where id = $1 returning status', [
        subscriptionId,
        status,
        at,
      ]);

    expect(await sync('past_due', '2026-11-10T00:00:00Z')).toEqual([{ status: 'past_due' }]);
    expect(await sync('active', '2026-11-09T00:00:00Z')).toEqual([]); // an older event arriving late
    expect(await sync('active', '2026-11-10T00:00:00Z')).toEqual([{ status: 'active' }]); // same instant: re-applied
    await db.sql.query(`update subscriptions set cancel_at_period_end = true where id = $1`, [subscriptionId]);
    expect(await db.sql.query('select status, cancel_at_period_end from subscriptions')).toEqual([
      { status: 'active', cancel_at_period_end: true },
    ]);
  });

  it('billing_cycles: periods that end after they start, one cycle per subscription and start, no negative figures', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const insert = `insert into billing_cycles (subscription_id, org_id, period_start, period_end, status, included_minutes, minutes_used)
                    values ($1, $2, $3, $4, $5, 500, $6)`;
    await refuses(
      db.sql,
      insert,
      [subscriptionId, orgId, NOV.periodStart, NOV.periodEnd, 'active', 0],
      /billing_cycles_subscription_id_period_start_key/,
    );
    await refuses(
      db.sql,
      insert,
      [subscriptionId, orgId, NOV.periodEnd, NOV.periodEnd, 'active', 0],
      /billing_cycles_period_check/,
    );
    await refuses(
      db.sql,
      insert,
      [subscriptionId, orgId, NOV.periodEnd, new Date('2027-01-01'), 'open', 0],
      /billing_cycles_status_check/,
    );
    await refuses(
      db.sql,
      insert,
      [subscriptionId, orgId, NOV.periodEnd, new Date('2027-01-01'), 'active', -1],
      /billing_cycles_figures_check/,
    );
  });

  it('usage_records: call ids of 1–255 characters, durations within a day, minutes rounded up, known statuses', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const insert = `insert into usage_records (org_id, call_id, duration_seconds, billed_minutes, stripe_status)
                    values ($1, $2, $3, $4, $5)`;
    await db.sql.query(insert, [orgId, 'x'.repeat(255), '86400', 1440, 'unbilled']);
    await refuses(db.sql, insert, [orgId, '', '1', 1, 'unbilled'], /usage_records_call_id_check/);
    await refuses(db.sql, insert, [orgId, 'y'.repeat(256), '1', 1, 'unbilled'], /usage_records_call_id_check/);
    await refuses(db.sql, insert, [orgId, 'negative', '-1', 0, 'unbilled'], /usage_records_duration_seconds_check/);
    await refuses(
      db.sql,
      insert,
      [orgId, 'too-long', '86400.001', 1441, 'unbilled'],
      /usage_records_duration_seconds_check/,
    );
    await refuses(
      db.sql,
      insert,
      [orgId, 'rounded-down', '60.001', 1, 'unbilled'],
      /usage_records_billed_minutes_check/,
    );
    await refuses(db.sql, insert, [orgId, 'odd-status', '60', 1, 'lost'], /usage_records_stripe_status_check/);
    await refuses(db.sql, insert, [orgId, 'x'.repeat(255), '60', 1, 'unbilled'], /usage_records_call_id_key/);
  });
});
