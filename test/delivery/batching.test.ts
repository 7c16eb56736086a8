/**
 * Aggregated delivery (issue 13 §2): a customer's due calls go to Stripe as ONE meter event, the sum of their
 * minutes, under a batch id stored on each call when it was claimed. Crashes, outages and lost answers still leave
 * every call counted exactly once: a retried batch resends the same calls under the same id, which Stripe
 * deduplicates as it did a single call's identifier.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import { claimBatch } from '../../src/usecases/usage/claim-batch.ts';
import { meterIdentifier } from '../../src/usecases/usage/meter-identifier.ts';
import { testContext } from '../support/billing-fixtures.ts';
import { describeEachDatabase, describePostgresOnly } from '../support/database.ts';
import { fakeStripeMeter } from './fake-stripe-meter.ts';
import { callsAroundMidnight, ledger, makeDue, outbox, record, subscribedOrg } from './support.ts';

const DAY = 24 * 3_600_000;
const settings = { batchSize: 1_000, leaseSeconds: 300, timeoutMs: 3_000 };

describeEachDatabase('deliver usage in batches', (db) => {
  it("sends a customer's due calls as one meter event: their minutes summed, its batch id on every call, stamped with the latest end", async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    await record(db.sql, orgId, 'a-1', 2, '2026-11-10T10:00:00Z');
    await record(db.sql, orgId, 'a-2', 5, '2026-11-10T11:30:00Z');
    await record(db.sql, orgId, 'a-3', 1, '2026-11-10T09:00:00Z');
    const meter = fakeStripeMeter();

    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 3, failed: 0, pending: 0 });

    const rows = await outbox(db.sql);
    const batchId = rows[0]!.stripe_batch_id!;
    expect(rows.map((r) => [r.stripe_status, r.stripe_batch_id, r.stripe_stream_request_id])).toEqual([
      ['sent', batchId, null],
      ['sent', batchId, null],
      ['sent', batchId, null],
    ]);
    expect(meter.requests).toEqual([
      { kind: 'v1', identifier: batchId, value: 8, key: `usage-${batchId}`, customer: 'cus_A' },
    ]);
    expect(meter.events.get(batchId)!.timestamp).toBe(Date.parse('2026-11-10T11:30:00Z') / 1000);
  });

  it('never puts two customers, or two billing periods of one customer, in one batch', async () => {
    await callsAroundMidnight(db.sql, ['cus_A', 'cus_B']);
    const meter = fakeStripeMeter();

    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe, new Date('2026-12-01T00:01:00Z')))).toMatchObject({
      sent: 3,
    });
    const byCall = Object.fromEntries((await outbox(db.sql)).map((r) => [r.call_id, r.stripe_batch_id]));
    expect(new Set(Object.values(byCall)).size).toBe(3);
    expect(meter.total('cus_A')).toBe(7);
    expect(meter.total('cus_B')).toBe(7);
    expect(meter.events.get(byCall['cus_A-nov']!)!.timestamp).toBe(Date.parse('2026-11-30T23:59:00Z') / 1000);
  });

  it("keeps calls older than Stripe's 35 days (on our clock) out of a batch of newer ones", async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    await record(db.sql, orgId, 'old', 2, '2026-11-02T10:00:00Z'); // 40 days before the clock below
    await record(db.sql, orgId, 'new', 3, '2026-11-28T10:00:00Z');
    const meter = fakeStripeMeter();

    await drainUsageOutbox(testContext(db.sql, meter.stripe, new Date(Date.parse('2026-11-02T10:00:00Z') + 40 * DAY)));
    const [oldCall, newCall] = await outbox(db.sql).then((rows) => [
      rows.find((r) => r.call_id === 'old')!,
      rows.find((r) => r.call_id === 'new')!,
    ]);
    expect(oldCall!.stripe_batch_id).not.toBe(newCall!.stripe_batch_id);
    expect(meter.events.get(newCall!.stripe_batch_id!)).toMatchObject({ value: 3 });
  });

  it('a retried batch carries exactly the calls it was claimed with, under the same id; a call reported later forms a new batch', async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    await record(db.sql, orgId, 'r-1', 2);
    await record(db.sql, orgId, 'r-2', 3);
    let down = true;
    const meter = fakeStripeMeter(() => (down ? 'down' : undefined));
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 2 });
    const first = (await outbox(db.sql))[0]!.stripe_batch_id!;
    await record(db.sql, orgId, 'r-3', 4); // reported while the batch waits for its retry
    await makeDue(db.sql);
    down = false;
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 3, failed: 0, pending: 0 });

    const rows = await outbox(db.sql);
    expect(rows.map((r) => r.stripe_batch_id)).toEqual([first, first, expect.not.stringMatching(first)]);
    expect(meter.requests.map((r) => r.kind === 'v1' && [r.identifier, r.value])).toEqual([
      [first, 5],
      [first, 5],
      [rows[2]!.stripe_batch_id, 4],
    ]);
    expect(meter.total('cus_A')).toBe(9);
  });

  it('a lost answer (Stripe took the batch, we never heard): the resend is deduplicated and every call counts once', async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    for (let i = 0; i < 5; i++) await record(db.sql, orgId, `lost-${i}`, i + 1);
    const meter = fakeStripeMeter((_, n) => (n === 1 ? 'lost-answer' : undefined));
    const ctx = testContext(db.sql, meter.stripe);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 5 });
    expect(meter.total('cus_A')).toBe(15); // Stripe has it, we do not know
    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 5, failed: 0, pending: 0 });
    expect(meter.total('cus_A')).toBe(15);
    expect(meter.requests).toHaveLength(2);
  });

  it('a deliverer that dies after claiming (and perhaps sending): once its lease runs out another sends the same batch whole, counted once', async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    for (let i = 0; i < 4; i++) await record(db.sql, orgId, `crash-${i}`, 2);
    const meter = fakeStripeMeter();
    const dying = testContext(db.sql, meter.stripe);
    const claimed = (await claimBatch(dying, settings))!;
    // It got its event to Stripe, then died before writing anything down.
    await meter.stripe.billing.meterEvents.create({
      identifier: claimed.id,
      payload: { stripe_customer_id: 'cus_A', value: String(claimed.minutes) },
    });
    await record(db.sql, orgId, 'crash-later', 3);

    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 1, failed: 0, pending: 4 }); // leased
    await makeDue(db.sql); // the lease ran out
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toEqual({ sent: 4, failed: 0, pending: 0 });
    expect(meter.total('cus_A')).toBe(11);
    expect((await outbox(db.sql)).filter((r) => r.stripe_batch_id === claimed.id).map((r) => r.call_id)).toEqual([
      'crash-0',
      'crash-1',
      'crash-2',
      'crash-3',
    ]);
  });

  it('an outage: calls keep coming, every pass fails, then Stripe is back and every call counts exactly once', async () => {
    const a = await subscribedOrg(db.sql, 'cus_A');
    const b = await subscribedOrg(db.sql, 'cus_B');
    let down = true;
    const meter = fakeStripeMeter(() => (down ? 'down' : undefined));
    const ctx = testContext(db.sql, meter.stripe);
    for (let pass = 0; pass < 3; pass++) {
      for (let i = 0; i < 3; i++) {
        await record(db.sql, a.orgId, `out-a-${pass}-${i}`, 1 + i);
        await record(db.sql, b.orgId, `out-b-${pass}-${i}`, 2);
      }
      expect(await drainUsageOutbox(ctx)).toMatchObject({ sent: 0, pending: 6 * (pass + 1) });
      await makeDue(db.sql);
    }
    down = false;
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 18, failed: 0, pending: 0 });
    expect({ cus_A: meter.total('cus_A'), cus_B: meter.total('cus_B') }).toEqual(await ledger(db.sql));
  });

  it('a call attempted alone before batching keeps its own meter identifier (the migration derives it as meterIdentifier does)', async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    const ids = ['plain-1', 'call-☎-1', 'x'.repeat(101), 'café', 'a b'];
    for (const id of ids) await record(db.sql, orgId, id, 1);
    await db.sql.query(`update usage_records set stripe_attempts = 1, stripe_batch_id = null`); // as before batching
    const migration = await readFile(
      new URL('../../supabase/migrations/20261201001300_usage_delivery_batches.sql', import.meta.url),
      'utf8',
    );
    const legacyUpdate = /update public\.usage_records\s+set stripe_batch_id = case[\s\S]*?;/.exec(migration)![0];
    await db.sql.exec(legacyUpdate);
    const rows = await db.sql.query<{ call_id: string; stripe_batch_id: string }>(
      `select call_id, stripe_batch_id from usage_records`,
    );
    for (const row of rows) expect(row.stripe_batch_id).toBe(await meterIdentifier(row.call_id));

    const meter = fakeStripeMeter();
    expect(await drainUsageOutbox(testContext(db.sql, meter.stripe))).toMatchObject({ sent: 5 });
    expect(meter.requests.map((r) => r.kind === 'v1' && r.key).sort()).toEqual(
      (await Promise.all(ids.map(async (id) => `usage-${await meterIdentifier(id)}`))).sort(),
    );
  });
});

describePostgresOnly('deliver usage in batches: races', (db) => {
  it('eight deliverers claiming a retried batch at once: one takes it whole, the others nothing', async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    for (let i = 0; i < 40; i++) await record(db.sql, orgId, `race-${i}`, 1);
    const meter = fakeStripeMeter(() => 'down');
    await drainUsageOutbox(testContext(db.sql, meter.stripe));
    await makeDue(db.sql);

    const pools = await Promise.all(Array.from({ length: 8 }, () => db.connect()));
    const claims = await Promise.all(pools.map((sql) => claimBatch(testContext(sql, meter.stripe), settings)));
    const taken = claims.filter((c) => c !== undefined);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.calls).toHaveLength(40);
  });

  it("eight deliverers claiming a customer's new calls at once: one batch takes them all, nobody splits them", async () => {
    const { orgId } = await subscribedOrg(db.sql, 'cus_A');
    for (let i = 0; i < 40; i++) await record(db.sql, orgId, `fresh-${i}`, 1);
    const meter = fakeStripeMeter();
    const pools = await Promise.all(Array.from({ length: 8 }, () => db.connect()));
    const claims = await Promise.all(pools.map((sql) => claimBatch(testContext(sql, meter.stripe), settings)));
    const taken = claims.filter((c) => c !== undefined);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.calls).toHaveLength(40);
  });

  it('three deliverers, one on the v2 stream, while calls keep coming and Stripe loses answers, fails and times out: the meter equals the ledger', async () => {
    const orgs = await Promise.all(['cus_1', 'cus_2', 'cus_3', 'cus_4'].map((c) => subscribedOrg(db.sql, c)));
    const faults = ['lost-answer', 'server-error', 'down', undefined, undefined] as const;
    let n = 0;
    const meter = fakeStripeMeter(() => faults[n++ % faults.length]);
    const pools = await Promise.all([db.connect(), db.connect(), db.connect(), db.connect()]);
    const deliverers = [
      () => drainUsageOutbox(testContext(pools[0]!, meter.stripe), { batchSize: 7 }),
      () => drainUsageOutbox(testContext(pools[1]!, meter.stripe), { batchSize: 13 }),
      () => drainUsageOutbox(testContext(pools[2]!, meter.stripe), { streamThreshold: 1, batchSize: 5 }),
    ];
    let reported = 0;
    const reporting = (async () => {
      for (; reported < 200; reported++)
        await record(pools[3]!, orgs[reported % 4]!.orgId, `live-${reported}`, 1 + (reported % 3));
    })();
    for (let round = 0; round < 40; round++) {
      await Promise.all(deliverers.map((d) => d()));
      await makeDue(db.sql);
      if (reported >= 200 && (await outbox(db.sql)).every((r) => r.stripe_status === 'sent')) break;
    }
    await reporting;
    const rows = await outbox(db.sql);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.stripe_status !== 'sent')).toEqual([]);
    expect(Object.fromEntries(['cus_1', 'cus_2', 'cus_3', 'cus_4'].map((c) => [c, meter.total(c)]))).toEqual(
      await ledger(db.sql),
    );
    // No batch spans customers, and every batch Stripe took is one our rows name.
    const customersOfBatch = new Map<string, Set<string>>();
    for (const r of rows)
      customersOfBatch.set(r.stripe_batch_id!, (customersOfBatch.get(r.stripe_batch_id!) ?? new Set()).add(r.customer));
    for (const customers of customersOfBatch.values()) expect(customers.size).toBe(1);
    expect([...meter.events.keys()].sort()).toEqual([...customersOfBatch.keys()].sort());
    expect(meter.requests.some((r) => r.kind === 'stream')).toBe(true);
  });
});
