/**
 * A deliverer killed mid-batch (SIGKILL, no clean-up): its batch stays claimed until the lease runs out, then another
 * deliverer sends the same calls under the same batch id. Whether Stripe had taken the event before the kill (its
 * answer never arrived) or not, the meter ends equal to the ledger. A proxy in front of the emulator lets the test
 * see the request and hold it (or its answer) while the process is killed.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Harness, startHarness } from '@aisyst/stripe-emulator/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres } from '../../src/adapters/db/postgres.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import { testContext } from '../support/billing-fixtures.ts';
import { createScratchPostgresDatabase, describePostgresOnly } from '../support/database.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation } from '../support/database-fixtures.ts';
import { makeDue, outbox, record } from './support.ts';

const HOUR = 3_600_000;

/** Forwards to the emulator; a meter event request is held: before Stripe sees it, or after Stripe took it. */
function holdingProxy(target: string, hold: 'before-stripe' | 'after-stripe') {
  let reached!: () => void;
  const held = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isMeterEvent = req.url === '/v1/billing/meter_events';
    if (isMeterEvent && hold === 'before-stripe') return reached(); // never forwarded, never answered
    const answer = await fetch(new URL(req.url!, target), {
      method: req.method!,
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    if (isMeterEvent) return reached(); // Stripe took it; the answer never leaves
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });
  return {
    held,
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describePostgresOnly('deliver usage: a deliverer killed mid-batch', () => {
  let h: Harness;
  let meterId: string;
  beforeAll(async () => {
    h = await startHarness();
    meterId = (
      await h.stripe.billing.meters.create({
        display_name: 'Voice Call Minutes',
        event_name: 'voice_call_minutes',
        default_aggregation: { formula: 'sum' },
      })
    ).id;
  });
  afterAll(() => h.emulator.close());

  async function killedMidBatch(hold: 'before-stripe' | 'after-stripe') {
    const database = await createScratchPostgresDatabase(process.env.TEST_DATABASE_URL!, { migrated: true });
    const sql: Sql = openPostgres(database.url, { max: 4 });
    const proxy = holdingProxy(h.emulator.url, hold);
    try {
      const customer = (await h.stripe.customers.create({ name: `Killed ${hold}` })).id;
      const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
      const now = Date.now();
      await createSubscriptionWithCycle(sql, {
        orgId,
        stripeCustomerId: customer,
        periodStart: new Date(now - 10 * 24 * HOUR),
        periodEnd: new Date(now + 20 * 24 * HOUR),
      });
      for (let i = 0; i < 6; i++) await record(sql, orgId, `${hold}-${i}`, i + 1, new Date(now - HOUR).toISOString());

      const child = spawn(process.execPath, ['bin/run-ts.mjs', 'test/delivery/deliver-once.child.ts'], {
        env: { ...process.env, DATABASE_URL: database.url, STRIPE_API_BASE: await proxy.listen() },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      await proxy.held;
      child.kill('SIGKILL');
      await exited;

      const claimed = await outbox(sql);
      expect(
        claimed.every((r) => r.stripe_status === 'pending' && r.stripe_batch_id === claimed[0]!.stripe_batch_id),
      ).toBe(true);
      await makeDue(sql); // the dead deliverer's lease runs out
      expect(await drainUsageOutbox(testContext(sql, h.stripe, new Date()))).toEqual({
        sent: 6,
        failed: 0,
        pending: 0,
      });
      expect((await outbox(sql)).map((r) => r.stripe_batch_id)).toEqual(claimed.map((r) => r.stripe_batch_id));
      const hour = Math.floor(now / HOUR) * 3_600;
      const summaries = await h.stripe.billing.meters.listEventSummaries(meterId, {
        customer,
        start_time: hour - 3 * 3_600,
        end_time: hour + 3_600,
      });
      expect(summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0)).toBe(21);
    } finally {
      await proxy.close();
      await sql.close();
      await database.drop();
    }
  }

  it('killed after Stripe took the batch (its answer lost): the next deliverer resends it, Stripe counts it once', () =>
    killedMidBatch('after-stripe'));

  it('killed before the request reached Stripe: the next deliverer sends the same batch, counted once', () =>
    killedMidBatch('before-stripe'));
});
