/**
 * A cycle's counters are 64-bit (supabase/migrations/20261201000200_counters_bigint.sql). As 32-bit integers,
 * a cycle past 2^31 - 1 cents (€21.4 M) of overage failed every further call of its organisation with "integer
 * out of range": a 500, the call not recorded. Read back, they stay plain JSON numbers.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { applyAuthStub } from '../../src/adapters/db/auth-stub.ts';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../../src/adapters/db/migrate.ts';
import { attachUnbilledUsage, listCycles } from '../../src/repositories/billing-cycles.ts';
import { splitCycleAtPlanChange } from '../../src/repositories/split-cycle.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };
const INT32_MAX = 2 ** 31 - 1;
const DAY = 1_440; // the longest call, in minutes
/** Starter: 500 included, 50 cents a minute. This many minutes leave the cycle one long call below 2^31 cents. */
const NEAR_LIMIT_MINUTES = Math.floor(INT32_MAX / 50) + 500 - DAY + 1;

async function cycleNearTheLimit(sql: Sql, org?: { orgId: string }) {
  const { orgId } = org ?? (await createUserAndOrganisation(sql));
  const made = await createSubscriptionWithCycle(sql, { orgId, ...NOV });
  await sql.query(
    `update billing_cycles set minutes_used = $2::int, overage_minutes = $2::int - 500, overage_cost_cents = ($2::int - 500) * 50 where id = $1`,
    [made.cycleId, NEAR_LIMIT_MINUTES],
  );
  return { orgId, ...made };
}

describeEachDatabase('64-bit cycle counters', (db) => {
  it('record a call that takes the overage past 2^31 cents, exactly, as numbers', async () => {
    const { orgId, subscriptionId } = await cycleNearTheLimit(db.sql);
    const call = (callId: string) =>
      recordUsage(db.sql, {
        orgId,
        callId,
        durationSeconds: DAY * 60,
        billedMinutes: DAY,
        endedAt: new Date('2026-11-20T00:00:00Z'),
      });

    const first = await call('past-the-limit');
    const second = await call('and-beyond');
    const minutes = NEAR_LIMIT_MINUTES + 2 * DAY;
    expect(first.outcome).toBe('recorded');
    expect(second.cycle).toMatchObject({
      minutes_used: minutes,
      overage_minutes: minutes - 500,
      overage_cost_cents: (minutes - 500) * 50,
    });
    expect(second.cycle!.overage_cost_cents).toBeGreaterThan(INT32_MAX);
    expect(await call('and-beyond')).toMatchObject({ outcome: 'duplicate', cycle: second.cycle });

    const [row] = await listCycles(db.sql, subscriptionId);
    expect(row).toMatchObject({
      minutes_used: minutes,
      overage_minutes: minutes - 500,
      overage_cost_cents: (minutes - 500) * 50,
    });
    expect(typeof row!.overage_cost_cents).toBe('number');
  });

  it('count unbilled calls, attached later, past 2^31 cents too', async () => {
    const org = await createUserAndOrganisation(db.sql);
    const unbilled = await recordUsage(db.sql, {
      orgId: org.orgId,
      callId: 'before-the-webhook',
      durationSeconds: DAY * 60,
      billedMinutes: DAY,
      endedAt: new Date('2026-11-20T00:00:00Z'),
    });
    expect(unbilled.outcome).toBe('unbilled');
    const { subscriptionId } = await cycleNearTheLimit(db.sql, org);

    expect(await attachUnbilledUsage(db.sql, subscriptionId, NOV.periodStart)).toBe(1);
    const [row] = await listCycles(db.sql, subscriptionId);
    expect(row!.overage_cost_cents).toBe((NEAR_LIMIT_MINUTES + DAY - 500) * 50);
  });

  it('split at a plan change past 2^31 cents', async () => {
    const { orgId, subscriptionId } = await cycleNearTheLimit(db.sql);
    await recordUsage(db.sql, {
      orgId,
      callId: 'after-the-change',
      durationSeconds: DAY * 60,
      billedMinutes: DAY,
      endedAt: new Date('2026-11-20T00:00:00Z'),
    });
    const changedAt = new Date('2026-11-16T00:00:00Z');
    await db.sql.transaction((tx) =>
      splitCycleAtPlanChange(tx, { subscriptionId, changedAt, ...NOV, includedMinutes: 1_000, overageRateCents: 50 }),
    );
    const [before, after] = await listCycles(db.sql, subscriptionId);
    expect(before).toMatchObject({
      minutes_used: NEAR_LIMIT_MINUTES,
      overage_cost_cents: (NEAR_LIMIT_MINUTES - 500) * 50,
    });
    expect(after).toMatchObject({ minutes_used: DAY, overage_cost_cents: (DAY - 1_000) * 50 });
  });

  const scratch: string[] = [];
  afterEach(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('the migration keeps every cycle’s figures', async () => {
    const sql = await db.openEmpty();
    await applyAuthStub(sql);
    const earlier = mkdtempSync(join(tmpdir(), 'migrations-before-bigint-'));
    scratch.push(earlier);
    for (const file of readdirSync(DEFAULT_MIGRATIONS_DIR).filter((f) => f < '20261201000200'))
      cpSync(join(DEFAULT_MIGRATIONS_DIR, file), join(earlier, file));
    await migrate(sql, { migrationsDir: earlier });
    const { orgId } = await createUserAndOrganisation(sql);
    const { cycleId } = await createSubscriptionWithCycle(sql, { orgId, ...NOV });
    await sql.query(
      `update billing_cycles set minutes_used = 4000, overage_minutes = 3500, overage_cost_cents = 175000 where id = $1`,
      [cycleId],
    );

    await migrate(sql);
    const types = await sql.query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = 'billing_cycles'
          and column_name in ('minutes_used', 'overage_minutes', 'overage_cost_cents') order by column_name`,
    );
    expect(types.map((t) => t.data_type)).toEqual(['bigint', 'bigint', 'bigint']);
    expect(
      await sql.query('select minutes_used, overage_minutes, overage_cost_cents from billing_cycles where id = $1', [
        cycleId,
      ]),
    ).toEqual([{ minutes_used: 4_000, overage_minutes: 3_500, overage_cost_cents: 175_000 }]);
  });
});
