/**
 * Invariants 1 and 4 of docs/design.md#architecture-and-invariants under real concurrency (PostgreSQL only: PGlite
 * runs one transaction at a time, so a race there proves nothing). With CI=true and no TEST_DATABASE_URL this suite
 * fails instead of skipping.
 */
import { expect, it } from 'vitest';
import { ensureAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import { closeCyclesBefore, ensureCycle } from '../../src/repositories/billing-cycles.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import {
  createScratchPostgresDatabase,
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describePostgresOnly,
} from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

describePostgresOnly('races', (db) => {
  it('200 calls reported at once land exactly: minutes_used is the sum of billed minutes', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { cycleId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const pool = await db.connect({ max: 40 });
    const calls = Array.from({ length: 200 }, (_, i) => ({
      orgId,
      callId: `race-${i}`,
      durationSeconds: 1 + i * 7, // 1 s … 1,394 s: every rounding case, 1 to 24 minutes
      billedMinutes: Math.ceil((1 + i * 7) / 60),
      endedAt: new Date(Date.UTC(2026, 10, 1 + (i % 29))),
    }));
    const expected = calls.reduce((sum, c) => sum + c.billedMinutes, 0);

    const results = await Promise.all(calls.map((c) => recordUsage(pool, c)));

    expect(results.every((r) => r.outcome === 'recorded')).toBe(true);
    const [cycle] = await db.sql.query<{ minutes_used: number; overage_minutes: number; overage_cost_cents: number }>(
      'select minutes_used, overage_minutes, overage_cost_cents from billing_cycles where id = $1',
      [cycleId],
    );
    expect(cycle).toEqual({
      minutes_used: expected,
      overage_minutes: Math.max(0, expected - 500),
      overage_cost_cents: Math.max(0, expected - 500) * 50,
    });
    const [sum] = await db.sql.query(
      'select sum(billed_minutes) as total, count(*) as n from usage_records where billing_cycle_id = $1',
      [cycleId],
    );
    expect(sum).toEqual({ total: expected, n: 200 });
    // Each figure the callers saw is one step of a serial history: all distinct, the largest the total.
    const seen = results.map((r) => r.cycle!.minutes_used);
    expect(new Set(seen).size).toBe(200);
    expect(Math.max(...seen)).toBe(expected);
  });

  it('the same call_id sent 50 times at once is counted once; every answer carries the same figures', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const pool = await db.connect({ max: 25 });
    const call = {
      orgId,
      callId: 'one-call-many-retries',
      durationSeconds: '150',
      billedMinutes: 3,
      endedAt: new Date('2026-11-05T00:00:00Z'),
    };

    const results = await Promise.all(Array.from({ length: 50 }, () => recordUsage(pool, call)));

    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(49);
    expect(new Set(results.map((r) => r.billedMinutes))).toEqual(new Set([3]));
    expect(await db.sql.query('select minutes_used from billing_cycles')).toEqual([{ minutes_used: 3 }]);
    expect(await db.sql.query('select count(*) as n from usage_records')).toEqual([{ n: 1 }]);
  });

  it('200 calls just after the period end, before any renewal webhook, open ONE next cycle and land in it exactly', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId, cycleId: november } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const pool = await db.connect({ max: 40 });
    const calls = Array.from({ length: 200 }, (_, i) => ({
      orgId,
      callId: `renewal-race-${i}`,
      durationSeconds: 1 + i * 7,
      billedMinutes: Math.ceil((1 + i * 7) / 60),
      // 00:00:00.000 … 00:03:19: all after November's end, inside December.
      endedAt: new Date(Date.UTC(2026, 11, 1, 0, 0, i)),
    }));
    const expected = calls.reduce((sum, c) => sum + c.billedMinutes, 0);

    const results = await Promise.all(calls.map((c) => recordUsage(pool, c)));

    expect(results.every((r) => r.outcome === 'recorded')).toBe(true);
    const cycles = await db.sql.query<{
      id: string;
      period_start: Date;
      period_end: Date;
      status: string;
      minutes_used: number;
    }>(
      'select id, period_start, period_end, status, minutes_used from billing_cycles where subscription_id = $1 order by period_start',
      [subscriptionId],
    );
    expect(cycles.map(({ id: _id, ...c }) => c)).toEqual([
      { period_start: NOV.periodStart, period_end: NOV.periodEnd, status: 'closed', minutes_used: 0 },
      {
        period_start: new Date('2026-12-01T00:00:00Z'),
        period_end: new Date('2027-01-01T00:00:00Z'),
        status: 'active',
        minutes_used: expected,
      },
    ]);
    const december = cycles[1]!.id;
    expect(cycles[0]!.id).toBe(november);
    expect(new Set(results.map((r) => r.cycle!.id))).toEqual(new Set([december]));
    const [sum] = await db.sql.query(
      'select sum(billed_minutes) as total, count(*) as n from usage_records where billing_cycle_id = $1',
      [december],
    );
    expect(sum).toEqual({ total: expected, n: 200 });
    const seen = results.map((r) => r.cycle!.minutes_used);
    expect(new Set(seen).size).toBe(200);
    expect(Math.max(...seen)).toBe(expected);
  });

  it('the renewal webhook racing 100 early calls: one December row, every minute in it, November closed', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    const pool = await db.connect({ max: 30 });
    const calls = Array.from({ length: 100 }, (_, i) => ({
      orgId,
      callId: `webhook-race-${i}`,
      durationSeconds: 60 * (1 + (i % 5)),
      billedMinutes: 1 + (i % 5),
      endedAt: new Date(Date.UTC(2026, 11, 1, 0, 1, i % 60)),
    }));
    const expected = calls.reduce((sum, c) => sum + c.billedMinutes, 0);
    // What the webhook handler does in its transaction (sync-subscription's convergeCycles).
    const webhook = pool.transaction(async (tx) => {
      await ensureCycle(tx, {
        subscriptionId,
        orgId,
        periodStart: new Date('2026-12-01T00:00:00Z'),
        periodEnd: new Date('2027-01-01T00:00:00Z'),
        status: 'active',
        includedMinutes: 500,
        overageRateCents: 50,
        currency: 'eur',
      });
      await closeCyclesBefore(tx, subscriptionId, new Date('2026-12-01T00:00:00Z'));
    });

    const [results] = await Promise.all([Promise.all(calls.map((c) => recordUsage(pool, c))), webhook]);

    expect(results.every((r) => r.outcome === 'recorded')).toBe(true);
    expect(
      await db.sql.query(
        'select status, minutes_used from billing_cycles where subscription_id = $1 order by period_start',
        [subscriptionId],
      ),
    ).toEqual([
      { status: 'closed', minutes_used: 0 },
      { status: 'active', minutes_used: expected },
    ]);
  });

  it('two migrate runs at once on an empty database both succeed and apply each migration once', async () => {
    const scratch = await createScratchPostgresDatabase();
    const first = openPostgres(scratch.url, { max: 2 });
    const second = openPostgres(scratch.url, { max: 2 });
    try {
      await ensureAuthStub(first);
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);

      const all = listMigrations().map((m) => `${m.version}_${m.name}`);
      expect([...a.applied, ...b.applied].sort()).toEqual(all);
      expect([...a.alreadyApplied, ...b.alreadyApplied].sort()).toEqual(all);
      expect(await first.query('select count(*) as n from supabase_migrations.schema_migrations')).toEqual([
        { n: all.length },
      ]);
    } finally {
      await first.close();
      await second.close();
      await scratch.drop();
    }
  });
});
