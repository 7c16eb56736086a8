import { expect, it } from 'vitest';
import { PLANS, SETUP_FEE, yearlyPriceCents } from '../../src/domain/catalog.ts';
import {
  getPlanByCode,
  getPlanById,
  getPlanByStripePriceId,
  listActivePlans,
  savePlanPriceIds,
} from '../../src/repositories/plans.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import { describeEachDatabase } from '../support/database.ts';

describeEachDatabase('plans repository and catalog seed', (db) => {
  it('seeds the catalog and lists it in the GET plans shape, by sort order', async () => {
    expect(await seedPlans(db.sql)).toEqual({
      inserted: ['starter', 'growth', 'enterprise'],
      updated: [],
      unchanged: [],
    });

    const plans = await listActivePlans(db.sql);

    expect(plans.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        name: 'Starter',
        included_minutes: 500,
        currency: 'eur',
        monthly_price_cents: 20_400,
        yearly_price_cents: 220_320,
        overage_rate_cents: 50,
        setup_fee_cents: 24_900,
        sort_order: 1,
      },
      {
        name: 'Growth',
        included_minutes: 1_000,
        currency: 'eur',
        monthly_price_cents: 36_600,
        yearly_price_cents: 395_280,
        overage_rate_cents: 50,
        setup_fee_cents: 24_900,
        sort_order: 2,
      },
      {
        name: 'Enterprise',
        included_minutes: 2_000,
        currency: 'eur',
        monthly_price_cents: 62_400,
        yearly_price_cents: 673_920,
        overage_rate_cents: 50,
        setup_fee_cents: 24_900,
        sort_order: 3,
      },
    ]);
    expect(plans.every((p) => /^[0-9a-f-]{36}$/.test(p.id))).toBe(true);
    // The figures are the catalog's, not a copy: yearly is twelve months less 10 %.
    expect(plans.map((p) => p.yearly_price_cents)).toEqual(PLANS.map((p) => yearlyPriceCents(p.monthlyPriceCents)));
    expect(plans[0]!.setup_fee_cents).toBe(SETUP_FEE.amountCents);
  });

  it('seeding again changes nothing and never wipes the Stripe price ids catalog sync stored', async () => {
    await seedPlans(db.sql);
    expect(
      await savePlanPriceIds(db.sql, 'growth', { monthly: 'price_m', yearly: 'price_y', metered: 'price_x' }),
    ).toBe(true);
    await db.sql.query(`update billing_plans set price_cents = 1, active = false where code = 'starter'`);

    expect(await seedPlans(db.sql)).toEqual({
      inserted: [],
      updated: ['starter'],
      unchanged: ['growth', 'enterprise'],
    });

    expect(await getPlanByCode(db.sql, 'growth')).toMatchObject({
      stripe_price_id: 'price_m',
      stripe_yearly_price_id: 'price_y',
      stripe_metered_price_id: 'price_x',
    });
    expect(await getPlanByCode(db.sql, 'starter')).toMatchObject({ price_cents: 20_400, active: true });
  });

  it('saves only the price ids given and reports an unknown plan code', async () => {
    await seedPlans(db.sql);
    await savePlanPriceIds(db.sql, 'starter', { monthly: 'price_m1', metered: 'price_x1' });
    await savePlanPriceIds(db.sql, 'starter', { yearly: 'price_y1' });
    expect(await getPlanByCode(db.sql, 'starter')).toMatchObject({
      stripe_price_id: 'price_m1',
      stripe_yearly_price_id: 'price_y1',
      stripe_metered_price_id: 'price_x1',
    });
    expect(await savePlanPriceIds(db.sql, 'platinum', { monthly: 'price_z' })).toBe(false);
  });

  it('finds a plan by id (active or not), by code and by any of its Stripe prices', async () => {
    await seedPlans(db.sql);
    await savePlanPriceIds(db.sql, 'enterprise', { monthly: 'price_em', yearly: 'price_ey', metered: 'price_ex' });
    await db.sql.query(`update billing_plans set active = false where code = 'enterprise'`);
    const enterprise = await getPlanByCode(db.sql, 'enterprise');

    expect(await getPlanById(db.sql, enterprise!.id)).toMatchObject({
      code: 'enterprise',
      active: false,
      included_minutes: 2_000,
    });
    expect(await getPlanById(db.sql, 'not-a-uuid')).toBeUndefined();
    expect(await getPlanById(db.sql, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await getPlanByCode(db.sql, 'platinum')).toBeUndefined();
    expect((await listActivePlans(db.sql)).map((p) => p.name)).toEqual(['Starter', 'Growth']);
    expect(await getPlanByStripePriceId(db.sql, 'price_ey')).toMatchObject({
      kind: 'yearly',
      plan: { code: 'enterprise' },
    });
    expect(await getPlanByStripePriceId(db.sql, 'price_ex')).toMatchObject({
      kind: 'metered',
      plan: { code: 'enterprise' },
    });
    expect(await getPlanByStripePriceId(db.sql, 'price_em')).toMatchObject({ kind: 'monthly' });
    expect(await getPlanByStripePriceId(db.sql, 'price_unknown')).toBeUndefined();
  });
});
