/**
 * Row level security (docs/database.md#row-level-security): an owner reads only their organisation's rows; only the
 * service role writes.
 */
import { expect, it } from 'vitest';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { seedPlans } from '../../src/usecases/seed-plans.ts';
import {
  asUser,
  createSubscriptionWithCycle,
  createUserAndOrganisation,
  describeEachDatabase,
} from '../support/database.ts';

const NOV = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

describeEachDatabase('row level security', (db) => {
  async function twoCustomers() {
    const alice = await createUserAndOrganisation(db.sql, { orgName: 'Alice Calls' });
    const bob = await createUserAndOrganisation(db.sql, { orgName: 'Bob Calls' });
    for (const who of [alice, bob]) {
      await createSubscriptionWithCycle(db.sql, { orgId: who.orgId, ...NOV });
      await recordUsage(db.sql, {
        orgId: who.orgId,
        callId: `call-of-${who.orgId}`,
        durationSeconds: 60,
        billedMinutes: 1,
        endedAt: new Date('2026-11-03'),
      });
    }
    return { alice, bob };
  }

  it('an owner reads their own organisation, subscription, cycles and calls, and nothing of another', async () => {
    const { alice } = await twoCustomers();
    await asUser(db.sql, alice.userId, async (tx) => {
      expect(await tx.query('select name from organisations')).toEqual([{ name: 'Alice Calls' }]);
      for (const table of ['subscriptions', 'billing_cycles', 'usage_records']) {
        expect(await tx.query(`select distinct org_id from ${table}`), table).toEqual([{ org_id: alice.orgId }]);
      }
    });
  });

  it('a signed-in user writes nothing, not even to their own rows', async () => {
    const { alice } = await twoCustomers();
    const attempts = [
      `update organisations set name = 'Hacked' where id = '${alice.orgId}'`,
      `insert into organisations (name, owner_id) values ('Mine', '${alice.userId}')`,
      `update billing_cycles set minutes_used = 0`,
      `delete from usage_records`,
      `update subscriptions set status = 'active'`,
      `insert into stripe_events (id, type, created) values ('evt_1', 'x', now())`,
    ];
    for (const statement of attempts) {
      await expect(
        asUser(db.sql, alice.userId, (tx) => tx.query(statement)),
        statement,
      ).rejects.toThrow(/permission denied/);
    }
    await expect(
      asUser(db.sql, alice.userId, (tx) =>
        tx.query(`select public.record_usage($1, 'sneaky', 60, 1, now())`, [alice.orgId]),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('anyone reads the active plans; the anonymous role reads nothing else and writes nothing', async () => {
    await twoCustomers();
    await seedPlans(db.sql);
    await db.sql.query(`update billing_plans set active = false where code = 'enterprise'`);
    await asUser(db.sql, null, async (tx) => {
      expect(await tx.query('select code from billing_plans order by sort_order')).toEqual([
        { code: 'starter' },
        { code: 'growth' },
      ]);
    });
    for (const statement of [
      'select * from organisations',
      'select * from usage_records',
      `update billing_plans set price_cents = 0`,
    ]) {
      await expect(
        asUser(db.sql, null, (tx) => tx.query(statement)),
        statement,
      ).rejects.toThrow(/permission denied/);
    }
  });

  it('stripe_events is for the backend only', async () => {
    const { alice } = await twoCustomers();
    await db.sql.query(`insert into stripe_events (id, type, created) values ('evt_1', 'invoice.paid', now())`);
    await expect(asUser(db.sql, alice.userId, (tx) => tx.query('select * from stripe_events'))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('the service role reads and writes every row, as the backend does on Supabase', async () => {
    const { alice, bob } = await twoCustomers();
    const rows = await db.sql.transaction(async (tx) => {
      await tx.exec('set local role service_role');
      await tx.query(`update organisations set name = 'Alice Voice' where id = $1`, [alice.orgId]);
      await tx.query(`select public.record_usage($1, 'backend-call', 120, 2, '2026-11-04')`, [bob.orgId]);
      return tx.query('select name from organisations order by name');
    });
    expect(rows).toEqual([{ name: 'Alice Voice' }, { name: 'Bob Calls' }]);
  });
});
