/**
 * The usage-alert queue in the database itself (supabase/migrations/20261201000900_usage_alerts.sql), on PGlite and
 * PostgreSQL: whatever moves a cycle's minutes — record_usage, attach_unbilled_usage when the first webhook makes the
 * cycle — queues each due alert of that cycle once; a closed cycle queues none; a new cap already reached queues its
 * alert (setMonthlyOverageCap); and the entitlement facts read the same cap rule.
 */
import { expect, it } from 'vitest';
import { attachUnbilledUsage } from '../../src/repositories/billing-cycles.ts';
import { readEntitlementFacts } from '../../src/repositories/entitlement.ts';
import { setMonthlyOverageCap } from '../../src/repositories/spend-caps.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

describeEachDatabase('usage alert queue', (db) => {
  const report = (orgId: string, callId: string, endedAt: string, minutes: number) =>
    recordUsage(db.sql, {
      orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(endedAt),
    });
  const kindsOf = async (orgId: string) =>
    (
      await db.sql.query<{ kind: string }>('select kind from usage_alerts where org_id = $1 order by kind', [orgId])
    ).map((r) => r.kind);

  it('record_usage queues each threshold once as the minutes cross it (Starter: 500 included)', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    await report(orgId, 'q-1', '2026-11-02T00:00:00Z', 399);
    expect(await kindsOf(orgId)).toEqual([]);
    await report(orgId, 'q-2', '2026-11-02T01:00:00Z', 1);
    expect(await kindsOf(orgId)).toEqual(['included_80']);
    await report(orgId, 'q-2', '2026-11-02T01:00:00Z', 1); // a repeat moves nothing
    await report(orgId, 'q-3', '2026-11-02T02:00:00Z', 100);
    await report(orgId, 'q-4', '2026-11-02T03:00:00Z', 50);
    expect(await kindsOf(orgId)).toEqual(['included_100', 'included_80']);
    const [row] = await db.sql.query<{ status: string; attempts: number }>(
      `select status, attempts from usage_alerts where org_id = $1 and kind = 'included_80'`,
      [orgId],
    );
    expect(row).toEqual({ status: 'pending', attempts: 0 });
  });

  it('attach_unbilled_usage (the first webhook counting earlier calls) queues them, and its repeat nothing more', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    expect(await report(orgId, 'early-1', '2026-11-01T00:05:00Z', 450)).toMatchObject({ outcome: 'unbilled' });
    const { subscriptionId } = await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    expect(await kindsOf(orgId)).toEqual([]);
    expect(await attachUnbilledUsage(db.sql, subscriptionId, NOV.periodStart)).toBe(1);
    expect(await attachUnbilledUsage(db.sql, subscriptionId, NOV.periodStart)).toBe(0);
    expect(await kindsOf(orgId)).toEqual(['included_80']);
  });

  it('a late call counted in a closed cycle queues nothing for it', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV, cycleStatus: 'closed' });
    expect(await report(orgId, 'late-1', '2026-11-30T23:00:00Z', 600)).toMatchObject({ outcome: 'recorded' });
    expect(await kindsOf(orgId)).toEqual([]);
  });

  it('the spend cap: reached by a call, or by a new cap below what is spent; once per cycle either way', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await createSubscriptionWithCycle(db.sql, { orgId, ...NOV });
    await report(orgId, 'cap-1', '2026-11-02T00:00:00Z', 520); // 20 extra minutes: €10.00
    expect(await kindsOf(orgId)).toEqual(['included_100', 'included_80']);
    let facts = await readEntitlementFacts(db.sql, orgId, new Date('2026-11-03T00:00:00Z'));
    expect(facts?.cycle).toMatchObject({ overageCostCents: 1_000, capReached: false });

    await setMonthlyOverageCap(db.sql, orgId, 5_000);
    expect(await kindsOf(orgId)).toEqual(['included_100', 'included_80']);
    await setMonthlyOverageCap(db.sql, orgId, 1_000); // already reached: queued now
    expect(await kindsOf(orgId)).toEqual(['included_100', 'included_80', 'spend_cap_reached']);
    facts = await readEntitlementFacts(db.sql, orgId, new Date('2026-11-03T00:00:00Z'));
    expect(facts).toMatchObject({ monthlyOverageCapCents: 1_000, cycle: { capReached: true } });

    await report(orgId, 'cap-2', '2026-11-02T01:00:00Z', 5);
    await setMonthlyOverageCap(db.sql, orgId, 900);
    const [n] = await db.sql.query<{ n: number }>(
      `select count(*)::int as n from usage_alerts where org_id = $1 and kind = 'spend_cap_reached'`,
      [orgId],
    );
    expect(n!.n).toBe(1);
  });

  it('refuses a negative cap in the database too', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    await expect(setMonthlyOverageCap(db.sql, orgId, -1)).rejects.toThrow(/monthly_overage_cap_cents_check/);
  });
});
