/**
 * DESIGN §4 invariants 1 and 4 under real concurrency (PostgreSQL only: PGlite runs one transaction at a time,
 * so a race there proves nothing). With CI=true and no TEST_DATABASE_URL this suite fails instead of skipping.
 */
import { expect, it } from 'vitest';
import { ensureAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { listMigrations, migrate } from '../../src/adapters/db/migrate.ts';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
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
    const [sum] = await db.sql.query('select sum(billed_minutes) as total, count(*) as n from usage_records where billing_cycle_id = $1', [cycleId]);
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
    const call = { orgId, callId: 'one-call-many-retries', durationSeconds: '150', billedMinutes: 3, endedAt: new Date('2026-11-05T00:00:00Z') };

    const results = await Promise.all(Array.from({ length: 50 }, () => recordUsage(pool, call)));

    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(49);
    expect(new Set(results.map((r) => r.billedMinutes))).toEqual(new Set([3]));
    expect(await db.sql.query('select minutes_used from billing_cycles')).toEqual([{ minutes_used: 3 }]);
    expect(await db.sql.query('select count(*) as n from usage_records')).toEqual([{ n: 1 }]);
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
      expect(await first.query('select count(*) as n from supabase_migrations.schema_migrations')).toEqual([{ n: all.length }]);
    } finally {
      await first.close();
      await second.close();
      await scratch.drop();
    }
  });
});
