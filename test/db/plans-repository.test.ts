import { expect, it } from 'vitest';
import { PLANS, SETUP_FEE, yearlyPriceCents } from '../../src/domain/catalog.ts';
import {
  findActivePlanById,
  findPlanById,
  findPlanByPriceIds,
  isPlanMeteredPrice,
  listActivePlans,
  readPlanRanks,
  savePlanPriceIds,
} from '../../src/repositories/plans.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import { describeEachDatabase } from '../support/database.ts';
import { planByCode } from '../support/database-fixtures.ts';

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

    expect(await planByCode(db.sql, 'growth')).toMatchObject({
      stripe_price_id: 'price_m',
      stripe_yearly_price_id: 'price_y',
      stripe_metered_price_id: 'price_x',
    });
    expect(await planByCode(db.sql, 'starter')).toMatchObject({ price_cents: 20_400, active: true });
  });

  it('saves only the price ids given and reports an unknown plan code', async () => {
    await seedPlans(db.sql);
    await savePlanPriceIds(db.sql, 'starter', { monthly: 'price_m1', metered: 'price_x1' });
    await savePlanPriceIds(db.sql, 'starter', { yearly: 'price_y1' });
    expect(await planByCode(db.sql, 'starter')).toMatchObject({
      stripe_price_id: 'price_m1',
      stripe_yearly_price_id: 'price_y1',
      stripe_metered_price_id: 'price_x1',
    });
    expect(await savePlanPriceIds(db.sql, 'platinum', { monthly: 'price_z' })).toBe(false);
  });

  it('finds a plan by id (active or not, or only on sale) and by any of its Stripe prices', async () => {
    await seedPlans(db.sql);
    await savePlanPriceIds(db.sql, 'enterprise', { monthly: 'price_em', yearly: 'price_ey', metered: 'price_ex' });
    await db.sql.query(`update billing_plans set active = false where code = 'enterprise'`);
    const enterprise = await planByCode(db.sql, 'enterprise');

    expect(await findPlanById(db.sql, enterprise!.id)).toEqual({
      id: enterprise!.id,
      name: 'Enterprise',
      includedMinutes: 2_000,
      overageRateCents: 50,
      currency: 'eur',
      stripePriceId: 'price_em',
      stripeYearlyPriceId: 'price_ey',
      stripeMeteredPriceId: 'price_ex',
    });
    expect(await findActivePlanById(db.sql, enterprise!.id)).toBeUndefined();
    const starter = await planByCode(db.sql, 'starter');
    expect(await findActivePlanById(db.sql, starter!.id)).toMatchObject({ name: 'Starter' });
    for (const find of [findPlanById, findActivePlanById]) {
      expect(await find(db.sql, 'not-a-uuid')).toBeUndefined();
      expect(await find(db.sql, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    }
    expect((await listActivePlans(db.sql)).map((p) => p.name)).toEqual(['Starter', 'Growth']);
    for (const price of ['price_em', 'price_ey', 'price_ex']) {
      expect(await findPlanByPriceIds(db.sql, [price])).toMatchObject({ name: 'Enterprise' });
    }
    expect(await findPlanByPriceIds(db.sql, ['price_unknown'])).toBeUndefined();
    expect(await findPlanByPriceIds(db.sql, [])).toBeUndefined();
    expect(await isPlanMeteredPrice(db.sql, 'price_ex')).toBe(true);
    expect(await isPlanMeteredPrice(db.sql, 'price_em')).toBe(false);
  });

  it("a plan's flat price decides over another plan's metered price (a change half done)", async () => {
    await seedPlans(db.sql);
    await savePlanPriceIds(db.sql, 'starter', { monthly: 'price_sm', yearly: 'price_sy', metered: 'price_sx' });
    await savePlanPriceIds(db.sql, 'growth', { monthly: 'price_gm', yearly: 'price_gy', metered: 'price_gx' });
    expect(await findPlanByPriceIds(db.sql, ['price_sx', 'price_gm'])).toMatchObject({ name: 'Growth' });
    expect(await findPlanByPriceIds(db.sql, ['price_gy', 'price_sx'])).toMatchObject({ name: 'Growth' });
  });

  it('ranks plans by monthly price and catalog order', async () => {
    await seedPlans(db.sql);
    const [starter, growth] = [await planByCode(db.sql, 'starter'), await planByCode(db.sql, 'growth')];
    const ranks = await readPlanRanks(db.sql, [growth!.id, starter!.id]);
    expect(ranks.sort((a, b) => a.sortOrder - b.sortOrder)).toEqual([
      { id: starter!.id, monthlyPriceCents: 20_400, sortOrder: 1 },
      { id: growth!.id, monthlyPriceCents: 36_600, sortOrder: 2 },
    ]);
  });
});
