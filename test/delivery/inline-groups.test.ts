/**
 * A busy process: calls reported while organisations keep joining the gathering (each within 20 ms of the last, for
 * at most 250 ms), or while the 4 inline slots are busy, are delivered together —
 * two or more organisations, up to 100, as one lane: one claim for all (`claim_usage_batches`), one v2 stream request
 * for the batches that fit it, v1 for the others — so delivery's cost per call falls as load rises. A lone
 * organisation still goes over v1. Every call counts exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { deliverSoon, drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import type { GatherTiming } from '../../src/usecases/usage/inline-delivery.ts';
import { testContext } from '../support/billing-fixtures.ts';
import { describeEachDatabase, describePostgresOnly } from '../support/database.ts';
import { fakeStripeMeter } from './fake-stripe-meter.ts';
import { addDecemberCycle, callsAroundMidnight, ledger, makeDue, outbox, record, subscribedOrg } from './support.ts';

/** `count` subscribed organisations with a 1-minute and a 2-minute call each (only the first with `oneCall`). */
async function organisationsWithCalls(
  db: { sql: Parameters<typeof record>[0] },
  count: number,
  prefix: string,
  oneCall = false,
) {
  const orgIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const { orgId } = await subscribedOrg(db.sql, `cus_${prefix}_${i}`);
    await record(db.sql, orgId, `${prefix}-${i}-a`, 1);
    if (!oneCall) await record(db.sql, orgId, `${prefix}-${i}-b`, 2);
    orgIds.push(orgId);
  }
  return orgIds;
}

describeEachDatabase('inline delivery in a busy process', (db) => {
  it('30 organisations reporting at once go in ONE stream request, each call naming it', async () => {
    const orgIds = await organisationsWithCalls(db, 30, 'busy');
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);

    await Promise.all(orgIds.map((orgId) => deliverSoon(ctx, orgId))); // one report-usage answer per organisation

    expect(meter.requests.map((r) => r.kind === 'stream' && r.identifiers.length)).toEqual([30]);
    const rows = await outbox(db.sql);
    expect(rows.every((r) => r.stripe_status === 'sent')).toBe(true);
    expect(new Set(rows.map((r) => r.stripe_stream_request_id)).size).toBe(1);
    expect(rows[0]!.stripe_stream_request_id).toMatch(/^mesr_[0-9a-f]{32}$/);
    expect(Object.fromEntries(orgIds.map((_, i) => [`cus_busy_${i}`, meter.total(`cus_busy_${i}`)]))).toEqual(
      await ledger(db.sql),
    );
  });

  it('150 at once: at most 100 a request', async () => {
    const orgIds = await organisationsWithCalls(db, 150, 'crowd', true);
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    await Promise.all(orgIds.map((orgId) => deliverSoon(ctx, orgId)));
    expect(meter.requests.map((r) => r.kind === 'stream' && r.identifiers.length).sort()).toEqual([100, 50]);
    expect(meter.total()).toBe(await totalMinutes(db));
  });

  it('organisations that keep joining go together, past the first quiet gap, until the gathering goes quiet', async () => {
    const orgIds = await organisationsWithCalls(db, 30, 'steady', true);
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    // One joins every 10 ms, about 300 ms in all: only a gathering that waits for quiet takes them in one request.
    const gathering = { quietMs: 150, maxMs: 60_000 };
    await joiningOneByOne(ctx, orgIds, 10, gathering);
    expect(meter.requests.map((r) => r.kind === 'stream' && r.identifiers.length)).toEqual([30]);
  });

  it('a gathering ends at its ceiling even while organisations keep joining', async () => {
    const orgIds = await organisationsWithCalls(db, 12, 'ceiling', true);
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    // One joins every 40 ms (never quiet for 10 s), the ceiling is 100 ms: the 12 cannot all go in the first request.
    const gathering = { quietMs: 10_000, maxMs: 100 };
    await joiningOneByOne(ctx, orgIds, 40, gathering);
    expect(meter.requests.length).toBeGreaterThan(1);
    expect(meter.total()).toBe(await totalMinutes(db));
  });

  it('a full stream request waiting goes at once, without waiting for quiet', async () => {
    const orgIds = await organisationsWithCalls(db, 100, 'full', true);
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    const gathering = { quietMs: 600_000, maxMs: 600_000 }; // only the 100th organisation can end it
    await Promise.all(orgIds.map((orgId) => deliverSoon(ctx, orgId, { gathering })));
    expect(meter.requests.map((r) => r.kind === 'stream' && r.identifiers.length)).toEqual([100]);
  });

  it('a lone organisation goes over v1, its calls in one event', async () => {
    const [orgId] = await organisationsWithCalls(db, 1, 'alone');
    const meter = fakeStripeMeter();
    await deliverSoon(testContext(db.sql, meter.stripe), orgId!);
    expect(meter.requests).toEqual([expect.objectContaining({ kind: 'v1', value: 3, customer: 'cus_alone_0' })]);
    expect(meter.sessions()).toBe(0);
  });

  it("a group's lost stream answer: its batches wait under their ids, and the resend is deduplicated", async () => {
    const orgIds = await organisationsWithCalls(db, 20, 'lost');
    let lost = false;
    const meter = fakeStripeMeter((request) => {
      if (request.kind !== 'stream' || lost) return undefined;
      lost = true;
      return 'lost-answer'; // Stripe took the events; the answer never came back
    });
    const ctx = testContext(db.sql, meter.stripe);
    await Promise.all(orgIds.map((orgId) => deliverSoon(ctx, orgId)));
    const waiting = (await outbox(db.sql)).filter((r) => r.stripe_status === 'pending');
    expect(waiting).toHaveLength(40); // the group's 20 organisations, two calls each

    await makeDue(db.sql);
    expect(await drainUsageOutbox(ctx, { streamThreshold: 1 })).toMatchObject({ sent: 40, pending: 0 });
    const after = await outbox(db.sql);
    for (const row of waiting)
      expect(after.find((r) => r.call_id === row.call_id)!.stripe_batch_id).toBe(row.stripe_batch_id);
    const streamed = meter.requests.filter((r) => r.kind === 'stream');
    expect(streamed).toHaveLength(2);
    const ids = (r: (typeof streamed)[number]) => (r.kind === 'stream' ? [...r.identifiers].sort() : []);
    expect(ids(streamed[1]!)).toEqual(ids(streamed[0]!)); // the same batches, the same identifiers
    expect(meter.total()).toBe(await totalMinutes(db)); // each counted once
  });

  it('a customer on a test clock goes over v1 within the group; a call reported meanwhile is sent before its wait ends', async () => {
    const orgIds = await organisationsWithCalls(db, 12, 'mixed');
    await db.sql.query(
      `update subscriptions set stripe_test_clock_id = 'clock_1', stripe_clock_time = '2026-11-10T12:00:00Z'
        where stripe_customer_id = 'cus_mixed_11'`,
    );
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe);
    let lateArrival: Promise<unknown> | undefined;
    const stream = meter.stripe.v2.billing.meterEventStream;
    const stripe = {
      ...meter.stripe,
      v2: {
        billing: {
          ...meter.stripe.v2.billing,
          meterEventStream: {
            async create(...args: Parameters<typeof stream.create>) {
              if (!lateArrival) {
                // While the group's request is out, organisation 5 reports another call: it joins the group's lane.
                await record(db.sql, orgIds[5]!, 'mixed-5-late', 4);
                lateArrival = deliverSoon(groupCtx, orgIds[5]!);
              }
              return stream.create(...args);
            },
          },
        },
      },
    };
    const groupCtx = { ...ctx, stripe: stripe as typeof ctx.stripe };
    await Promise.all(orgIds.map((orgId) => deliverSoon(groupCtx, orgId)));
    await lateArrival;

    const rows = await outbox(db.sql);
    expect(rows.find((r) => r.call_id === 'mixed-5-late')!.stripe_status).toBe('sent');
    expect(rows.every((r) => r.stripe_status === 'sent')).toBe(true);
    expect(meter.requests.find((r) => r.kind === 'v1' && r.customer === 'cus_mixed_11')).toBeDefined();
    expect(rows.filter((r) => r.customer === 'cus_mixed_11').every((r) => r.stripe_stream_request_id === null)).toBe(
      true,
    );
    expect(meter.total()).toBe(await totalMinutes(db));
  });

  it("a member's calls across a period boundary: the group sends one period's batch, the deliverer's next pass the other", async () => {
    const { a, b } = await callsAroundMidnight(db.sql, ['cus_edge_a', 'cus_edge_b']);
    const meter = fakeStripeMeter();
    const ctx = testContext(db.sql, meter.stripe, new Date('2026-12-01T00:01:00Z'));

    await Promise.all([deliverSoon(ctx, a.orgId), deliverSoon(ctx, b.orgId)]);
    expect((await outbox(db.sql)).filter((r) => r.stripe_status === 'pending')).toHaveLength(1);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });
    expect(meter.total('cus_edge_a')).toBe(7);
    expect(meter.total('cus_edge_b')).toBe(7);
    expect(new Set((await outbox(db.sql)).map((r) => r.stripe_batch_id)).size).toBe(3); // never two periods in one
  });

  it('claim_usage_batches gives every organisation the batch claim_usage_batch would: retried, full, split by period, age or customer', async () => {
    const full = await subscribedOrg(db.sql, 'cus_same_full'); // 3 calls, batches of 2
    for (const [i, day] of ['03', '04', '05'].entries())
      await record(db.sql, full.orgId, `full-${i}`, 1, `2026-11-${day}T10:00:00Z`);
    const edge = await subscribedOrg(db.sql, 'cus_same_edge'); // November and December
    await addDecemberCycle(db.sql, edge);
    await record(db.sql, edge.orgId, 'edge-dec', 4, '2026-12-01T00:00:30Z');
    await record(db.sql, edge.orgId, 'edge-nov', 3, '2026-11-30T23:59:00Z');
    const aged = await subscribedOrg(db.sql, 'cus_same_aged'); // one call before the oldest allowed, one after
    await record(db.sql, aged.orgId, 'aged-new', 2, '2026-11-20T10:00:00Z');
    await record(db.sql, aged.orgId, 'aged-old', 1, '2026-11-02T10:00:00Z');
    const moved = await subscribedOrg(db.sql, 'cus_same_moved'); // a call already stamped with an earlier customer
    await record(db.sql, moved.orgId, 'moved-a', 1);
    await record(db.sql, moved.orgId, 'moved-b', 1, '2026-11-11T10:00:00Z');
    await db.sql.query(`update usage_records set stripe_customer_id = 'cus_earlier' where call_id = 'moved-b'`);
    const retried = await subscribedOrg(db.sql, 'cus_same_retried'); // a due retried batch, then a new call
    await record(db.sql, retried.orgId, 'retried-a', 5);
    await db.sql.query(`select * from claim_usage_batch($1, 10, 60, 'batch-retried', now())`, [retried.orgId]);
    await record(db.sql, retried.orgId, 'retried-b', 6);
    await makeDue(db.sql);
    const idle = await subscribedOrg(db.sql, 'cus_same_idle'); // nothing to send

    const orgIds = [full, edge, aged, moved, retried, idle].map((o) => o.orgId);
    const batchIds = orgIds.map((_, i) => `new-${i}`);
    const oldest = new Date('2026-11-05T00:00:00Z');
    const claimed = `select org_id, call_id, stripe_batch_id, stripe_attempts, stripe_customer_id, on_test_clock`;
    /** What a claim returns, undone afterwards so that the other claim starts from the same outbox. */
    const undone = async (claim: (tx: typeof db.sql) => Promise<unknown[]>) => {
      let rows: unknown[] = [];
      await db.sql
        .transaction(async (tx) => {
          rows = await claim(tx);
          throw new Error('undo');
        })
        .catch((error: Error) => expect(error.message).toBe('undo'));
      return rows.map((r) => JSON.stringify(r)).sort();
    };
    const together = await undone((tx) =>
      tx.query(`${claimed} from claim_usage_batches($1::uuid[], $2::text[], 2, 60, $3)`, [orgIds, batchIds, oldest]),
    );
    const oneByOne = await undone(async (tx) => {
      const rows: unknown[] = [];
      for (const [i, orgId] of orgIds.entries())
        rows.push(
          ...(await tx.query(`${claimed} from claim_usage_batch($1, 2, 60, $2, $3)`, [orgId, batchIds[i], oldest])),
        );
      return rows;
    });
    expect(together).toEqual(oneByOne);
    expect(together.map((r) => JSON.parse(r).call_id).sort()).toEqual([
      'aged-new',
      'edge-dec',
      'full-0',
      'full-1',
      'moved-a',
      'retried-a',
    ]);
  });

  it('claim_usage_batches takes each organisation once, one new batch id each, none null', async () => {
    const [orgId] = await organisationsWithCalls(db, 1, 'ids');
    const claim = (orgIds: unknown[], batchIds: unknown[]) =>
      db.sql.query(`select * from claim_usage_batches($1::uuid[], $2::text[], 10, 60, now() - interval '35 days')`, [
        orgIds,
        batchIds,
      ]);
    await expect(claim([orgId], [])).rejects.toMatchObject({ code: '22023' });
    await expect(claim([orgId], [null])).rejects.toMatchObject({ code: '22023' });
    await expect(claim([orgId, orgId], ['b-1', 'b-2'])).rejects.toMatchObject({ code: '22023' });
    expect((await outbox(db.sql)).every((r) => r.stripe_batch_id === null)).toBe(true);
  });
});

describePostgresOnly('inline delivery in busy processes: races', (db) => {
  it('three processes and a drain pass deliver 60 organisations at once: every call sent exactly once', async () => {
    const orgIds = await organisationsWithCalls(db, 60, 'race');
    const meter = fakeStripeMeter();
    const pools = await Promise.all([db.connect(), db.connect(), db.connect()]);
    const processes = pools.map((sql) => testContext(sql, meter.stripe));
    await Promise.all([
      ...processes.flatMap((ctx) => orgIds.map((orgId) => deliverSoon(ctx, orgId))),
      drainUsageOutbox(testContext(db.sql, meter.stripe), { streamThreshold: 1 }),
    ]);
    const rows = await outbox(db.sql);
    expect(rows.every((r) => r.stripe_status === 'sent')).toBe(true);
    const identifiers = meter.requests.flatMap((r) => (r.kind === 'v1' ? [r.identifier] : r.identifiers));
    expect(new Set(identifiers).size).toBe(identifiers.length); // no batch sent twice
    expect(meter.total()).toBe(await totalMinutes(db));
    expect(meter.maxPerCustomer()).toBeLessThanOrEqual(1); // v1: one request at a time per customer
  });
});

/** Each organisation asks for delivery `gapMs` after the one before; resolves once every answer came. */
async function joiningOneByOne(
  ctx: Parameters<typeof deliverSoon>[0],
  orgIds: string[],
  gapMs: number,
  gathering: GatherTiming,
): Promise<void> {
  const answers: Promise<unknown>[] = [];
  for (const orgId of orgIds) {
    answers.push(deliverSoon(ctx, orgId, { gathering }));
    await sleep(gapMs);
  }
  await Promise.all(answers);
}

async function totalMinutes(db: { sql: Parameters<typeof record>[0] }): Promise<number> {
  return Object.values(await ledger(db.sql)).reduce((a, b) => a + b, 0);
}
