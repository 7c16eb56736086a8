/**
 * The original Supabase project was built by hand (the original notes, "Phase 0B"): amount columns named
 * *_aud_cents that held euro cents, no plan codes, no currency, a usage table keyed by call_id with minutes.
 * The migrations must adopt such a database in place: every value survives under the new names, and the
 * new rules hold afterwards.
 */
import { expect, it } from 'vitest';
import { ensureAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { listActivePlans } from '../../src/repositories/plans.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import { describeEachDatabase } from '../support/database.ts';
import { planByCode } from '../support/database-fixtures.ts';

/** The original project's tables as its SQL editor left them (Phase 0B applied verbatim). */
const ORIGINAL_SCHEMA = `
  create table public.organisations (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    owner_id uuid references auth.users (id),
    created_at timestamptz default now()
  );
  alter table public.organisations add column stripe_customer_id text;

  create table public.billing_plans (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    included_minutes int4,
    price_aud_cents int4,
    stripe_price_id text,
    sort_order int4,
    active boolean default true,
    created_at timestamptz default now()
  );
  ALTER TABLE billing_plans
    ADD COLUMN IF NOT EXISTS model_type TEXT DEFAULT 'tiered',
    ADD COLUMN IF NOT EXISTS stripe_metered_price_id TEXT,
    ADD COLUMN IF NOT EXISTS overage_rate_aud_cents INT4 DEFAULT 50,
    ADD COLUMN IF NOT EXISTS yearly_price_aud_cents INT4,
    ADD COLUMN IF NOT EXISTS stripe_yearly_price_id TEXT;

  create table public.subscriptions (
    id uuid primary key default gen_random_uuid(),
    org_id uuid references public.organisations (id),
    plan_id uuid references public.billing_plans (id),
    stripe_subscription_id text,
    stripe_customer_id text,
    status text check (status in ('active', 'past_due', 'canceled', 'incomplete')),
    current_period_start timestamptz,
    current_period_end timestamptz,
    cancel_at_period_end boolean default false,
    canceled_at timestamptz,
    created_at timestamptz default now(),
    updated_at timestamptz default now()
  );
  ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS billing_period TEXT DEFAULT 'monthly';

  create table public.billing_cycles (
    id uuid primary key default gen_random_uuid(),
    subscription_id uuid references public.subscriptions (id),
    org_id uuid references public.organisations (id),
    period_start timestamptz,
    period_end timestamptz,
    status text default 'active',
    included_minutes int4,
    minutes_used int4 default 0,
    overage_minutes int4 default 0,
    overage_cost_aud_cents int4 default 0,
    stripe_invoice_id text,
    created_at timestamptz default now()
  );

  create table public.usage_records (
    id uuid primary key default gen_random_uuid(),
    org_id uuid references public.organisations (id),
    billing_cycle_id uuid references public.billing_cycles (id),
    call_id text unique,
    call_duration_minutes numeric,
    billed_minutes int4,
    stripe_idempotency_key text,
    created_at timestamptz default now()
  );

  -- A hand-made policy far broader than the new access model.
  alter table public.organisations enable row level security;
  create policy "Enable read access for all users" on public.organisations for select using (true);
`;

/** Phase 0B's seed, verbatim, then a customer one month into a Starter plan with 1,234 minutes used. */
const ORIGINAL_DATA = `
  INSERT INTO billing_plans (
    name, model_type, included_minutes,
    price_aud_cents, yearly_price_aud_cents, overage_rate_aud_cents,
    stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id,
    sort_order, active
  ) VALUES
    ('Starter',    'tiered', 500,  20400, 220320, 50,
     'price_STARTER_MONTHLY',    'price_STARTER_YEARLY',    'price_STARTER_METERED',    1, true),
    ('Growth',     'tiered', 1000, 36600, 395280, 50,
     'price_GROWTH_MONTHLY',     'price_GROWTH_YEARLY',     'price_GROWTH_METERED',     2, true),
    ('Enterprise', 'tiered', 2000, 62400, 673920, 50,
     'price_ENTERPRISE_MONTHLY', 'price_ENTERPRISE_YEARLY', 'price_ENTERPRISE_METERED', 3, true);

  insert into auth.users (id, email) values ('11111111-1111-4111-8111-111111111111', 'owner@aisyst.example');
  insert into organisations (id, name, owner_id, stripe_customer_id, created_at)
    values ('22222222-2222-4222-8222-222222222222', 'AiSyst Pilot Customer', '11111111-1111-4111-8111-111111111111',
            'cus_U0pilot', '2026-02-20T09:00:00Z');
  insert into subscriptions (id, org_id, plan_id, stripe_subscription_id, stripe_customer_id, status,
                             current_period_start, current_period_end, cancel_at_period_end, billing_period)
    select '33333333-3333-4333-8333-333333333333', '22222222-2222-4222-8222-222222222222', id, 'sub_U0pilot',
           'cus_U0pilot', 'active', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', true, 'monthly'
      from billing_plans where name = 'Starter';
  insert into billing_cycles (id, subscription_id, org_id, period_start, period_end, status, included_minutes,
                              minutes_used, overage_minutes, overage_cost_aud_cents, stripe_invoice_id)
    values ('44444444-4444-4444-8444-444444444444', '33333333-3333-4333-8333-333333333333',
            '22222222-2222-4222-8222-222222222222', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', 'closed', 500,
            1234, 734, 36700, 'in_U0october'),
           ('55555555-5555-4555-8555-555555555555', '33333333-3333-4333-8333-333333333333',
            '22222222-2222-4222-8222-222222222222', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'active', 500,
            3, 0, 0, null);
  insert into usage_records (org_id, billing_cycle_id, call_id, call_duration_minutes, billed_minutes,
                             stripe_idempotency_key, created_at)
    values ('22222222-2222-4222-8222-222222222222', '55555555-5555-4555-8555-555555555555', 'livekit-call-1', 1.2, 2,
            'usage_livekit-call-1', '2026-11-02T10:00:00Z'),
           ('22222222-2222-4222-8222-222222222222', '55555555-5555-4555-8555-555555555555', 'livekit-call-2', 0.5, 1,
            'usage_livekit-call-2', '2026-11-03T10:00:00Z');
`;

async function originalProject(sql: Sql): Promise<void> {
  await ensureAuthStub(sql); // stands in for Supabase's own auth schema
  await sql.exec(ORIGINAL_SCHEMA);
  await sql.exec(ORIGINAL_DATA);
}

describeEachDatabase('adopting the original Supabase project', (db) => {
  it('renames the *_aud_cents columns in place: every plan keeps its amounts, ids and order, now in euro cents', async () => {
    const sql = await db.openEmpty();
    await originalProject(sql);
    const idsBefore = await sql.query<{ id: string; name: string }>(
      'select id, name from billing_plans order by sort_order',
    );

    await migrate(sql);

    const plans = await sql.query(
      `select id, code, name, model_type, included_minutes, currency, price_cents, yearly_price_cents, overage_rate_cents,
              stripe_price_id, stripe_yearly_price_id, stripe_metered_price_id, sort_order, active
         from billing_plans order by sort_order`,
    );
    expect(plans).toEqual(
      [
        ['starter', 'Starter', 500, 20400, 220320, 'STARTER', 1],
        ['growth', 'Growth', 1000, 36600, 395280, 'GROWTH', 2],
        ['enterprise', 'Enterprise', 2000, 62400, 673920, 'ENTERPRISE', 3],
      ].map(([code, name, included, price, yearly, key, order], i) => ({
        id: idsBefore[i]!.id,
        code,
        name,
        model_type: 'tiered',
        included_minutes: included,
        currency: 'eur',
        price_cents: price,
        yearly_price_cents: yearly,
        overage_rate_cents: 50,
        stripe_price_id: `price_${key}_MONTHLY`,
        stripe_yearly_price_id: `price_${key}_YEARLY`,
        stripe_metered_price_id: `price_${key}_METERED`,
        sort_order: order,
        active: true,
      })),
    );
    const columns = await sql.query<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'public' and column_name like '%aud%' order by column_name`,
    );
    expect(columns).toEqual([]);
  });

  it('keeps the customer, subscription, cycles and calls, filling the new columns from the old facts', async () => {
    const sql = await db.openEmpty();
    await originalProject(sql);

    await migrate(sql);

    expect(await sql.query('select id, name, owner_id, stripe_customer_id, created_at from organisations')).toEqual([
      {
        id: '22222222-2222-4222-8222-222222222222',
        name: 'AiSyst Pilot Customer',
        owner_id: '11111111-1111-4111-8111-111111111111',
        stripe_customer_id: 'cus_U0pilot',
        created_at: new Date('2026-02-20T09:00:00Z'),
      },
    ]);
    expect(
      await sql.query(
        `select s.stripe_subscription_id, s.stripe_customer_id, s.status, s.billing_period, s.current_period_start,
              s.current_period_end, s.cancel_at_period_end, p.code as plan
         from subscriptions s join billing_plans p on p.id = s.plan_id`,
      ),
    ).toEqual([
      {
        stripe_subscription_id: 'sub_U0pilot',
        stripe_customer_id: 'cus_U0pilot',
        status: 'active',
        billing_period: 'monthly',
        current_period_start: new Date('2026-11-01T00:00:00Z'),
        current_period_end: new Date('2026-12-01T00:00:00Z'),
        cancel_at_period_end: true,
        plan: 'starter',
      },
    ]);
    expect(
      await sql.query(
        `select id, status, included_minutes, overage_rate_cents, minutes_used, overage_minutes, overage_cost_cents,
              currency, stripe_invoice_id
         from billing_cycles order by period_start`,
      ),
    ).toEqual([
      {
        id: '44444444-4444-4444-8444-444444444444',
        status: 'closed',
        included_minutes: 500,
        overage_rate_cents: 50,
        minutes_used: 1234,
        overage_minutes: 734,
        overage_cost_cents: 36700,
        currency: 'eur',
        stripe_invoice_id: 'in_U0october',
      },
      {
        id: '55555555-5555-4555-8555-555555555555',
        status: 'active',
        included_minutes: 500,
        overage_rate_cents: 50,
        minutes_used: 3,
        overage_minutes: 0,
        overage_cost_cents: 0,
        currency: 'eur',
        stripe_invoice_id: null,
      },
    ]);
    // The original report-usage sent each meter event before inserting the row: those calls are in Stripe already.
    expect(
      await sql.query(
        `select call_id, call_duration_minutes, duration_seconds, billed_minutes, ended_at, stripe_status,
              stripe_sent_at, stripe_idempotency_key
         from usage_records order by call_id`,
      ),
    ).toEqual([
      {
        call_id: 'livekit-call-1',
        call_duration_minutes: '1.2',
        duration_seconds: '72.000',
        billed_minutes: 2,
        ended_at: new Date('2026-11-02T10:00:00Z'),
        stripe_status: 'sent',
        stripe_sent_at: new Date('2026-11-02T10:00:00Z'),
        stripe_idempotency_key: 'usage_livekit-call-1',
      },
      {
        call_id: 'livekit-call-2',
        call_duration_minutes: '0.5',
        duration_seconds: '30.000',
        billed_minutes: 1,
        ended_at: new Date('2026-11-03T10:00:00Z'),
        stripe_status: 'sent',
        stripe_sent_at: new Date('2026-11-03T10:00:00Z'),
        stripe_idempotency_key: 'usage_livekit-call-2',
      },
    ]);
  });

  it('then enforces the new rules and runs the new code paths on the adopted rows', async () => {
    const sql = await db.openEmpty();
    await originalProject(sql);
    await migrate(sql);

    // Only the new access model's policies remain (a broad hand-made one would OR itself past them).
    expect(await sql.query(`select policyname from pg_policies where tablename = 'organisations'`)).toEqual([
      { policyname: 'owners read their organisations' },
    ]);
    // Stripe's full status list replaced the hand-made check of the same name.
    await sql.query(`update subscriptions set status = 'unpaid'`);
    await expect(sql.query(`update subscriptions set status = 'cancelled'`)).rejects.toThrow(
      /subscriptions_status_check/,
    );
    await expect(sql.query(`update billing_plans set price_cents = -1`)).rejects.toThrow(
      /billing_plans_price_cents_check/,
    );
    await expect(
      sql.query(
        `insert into usage_records (org_id, call_id, duration_seconds, billed_minutes) values ('22222222-2222-4222-8222-222222222222', 'z', 61, 1)`,
      ),
    ).rejects.toThrow(/usage_records_billed_minutes_check/);

    const call = await recordUsage(sql, {
      orgId: '22222222-2222-4222-8222-222222222222',
      callId: 'after-adoption',
      durationSeconds: 61,
      billedMinutes: 2,
      endedAt: new Date('2026-11-20T00:00:00Z'),
    });
    expect(call).toMatchObject({
      outcome: 'recorded',
      cycle: { id: '55555555-5555-4555-8555-555555555555', minutes_used: 5 },
    });
    const duplicate = await recordUsage(sql, {
      orgId: '22222222-2222-4222-8222-222222222222',
      callId: 'livekit-call-1',
      durationSeconds: 72,
      billedMinutes: 2,
    });
    expect(duplicate).toMatchObject({ outcome: 'duplicate', billedMinutes: 2, cycle: { minutes_used: 5 } });

    // Seeding the catalog brings prices in line and keeps the Stripe price ids the project already had.
    await seedPlans(sql);
    expect(await planByCode(sql, 'growth')).toMatchObject({
      price_cents: 36600,
      setup_fee_cents: 24900,
      stripe_price_id: 'price_GROWTH_MONTHLY',
      stripe_yearly_price_id: 'price_GROWTH_YEARLY',
      stripe_metered_price_id: 'price_GROWTH_METERED',
    });
    expect((await listActivePlans(sql)).map((p) => p.name)).toEqual(['Starter', 'Growth', 'Enterprise']);

    expect((await migrate(sql)).alreadyApplied).toHaveLength(listMigrations().length);
  });
});
