/**
 * Call ids Stripe could not take as they are — outside visible ASCII (`call-☎-1`, an emoji, CJK) or longer than
 * the 100 characters a meter event identifier may have — still reach the meter, through the official SDK and the
 * emulator: their batch's id is the identifier, and every retry reuses it. The derived identifier of a call_id
 * (meterIdentifier) remains the batch id of calls attempted alone before batching (test/delivery/batching.test.ts).
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { drainUsageOutbox } from '../../src/usecases/deliver-usage.ts';
import { meterIdentifier } from '../../src/usecases/usage/meter-identifier.ts';
import { startHarness, type Harness } from '@aisyst/stripe-emulator/testing';
import { stripeError, testContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const HOUR = 3_600_000;
const LONG_ID = `call-${'7'.repeat(195)}`; // 200 characters

describe('the meter identifier of a call', () => {
  it('is the call_id itself when it is 1–100 visible ASCII characters', async () => {
    expect(await meterIdentifier('call-1')).toBe('call-1');
    expect(await meterIdentifier('x'.repeat(100))).toBe('x'.repeat(100));
  });

  it("is h_ and 64 hex digits of SHA-256 otherwise: stable, ASCII, within Stripe's 100 characters", async () => {
    for (const callId of ['call-☎-1', 'call-🎧', '通話-42', 'x'.repeat(101), LONG_ID, 'call 1', 'café']) {
      const identifier = await meterIdentifier(callId);
      expect(identifier).toMatch(/^h_[0-9a-f]{64}$/);
      expect(await meterIdentifier(callId)).toBe(identifier);
    }
    expect(await meterIdentifier('x'.repeat(101))).not.toBe(await meterIdentifier('x'.repeat(102)));
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('call-☎-1'));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(await meterIdentifier('call-☎-1')).toBe(`h_${hex}`);
  });
});

describeEachDatabase('deliver usage: call ids Stripe cannot take as they are', (db) => {
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

  /** An organisation whose Stripe customer (on the wall clock) has a cycle around now; calls ended an hour ago. */
  async function customerWithCycle(sql: Sql) {
    const customer = (await h.stripe.customers.create({ name: 'Acme Voice' })).id;
    const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
    const now = Date.now();
    await createSubscriptionWithCycle(sql, {
      orgId,
      stripeCustomerId: customer,
      periodStart: new Date(now - 10 * 24 * HOUR),
      periodEnd: new Date(now + 20 * 24 * HOUR),
    });
    return { orgId, customer, endedAt: new Date(now - HOUR) };
  }

  const meterTotal = async (customer: string) => {
    const minute = Math.floor(Date.now() / 60_000) * 60;
    const summaries = await h.stripe.billing.meters.listEventSummaries(meterId, {
      customer,
      start_time: minute - 2 * 3600,
      end_time: minute + 60,
    });
    return summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
  };

  const statuses = async (sql: Sql) =>
    Object.fromEntries(
      (
        await sql.query<{ call_id: string; stripe_status: string }>(`select call_id, stripe_status from usage_records`)
      ).map((r) => [r.call_id, r.stripe_status]),
    );

  it('delivers a ☎ call id and a 200-character one: both sent, the meter counts both', async () => {
    const { orgId, customer, endedAt } = await customerWithCycle(db.sql);
    await recordUsage(db.sql, { orgId, callId: 'call-☎-1', durationSeconds: '120', billedMinutes: 2, endedAt });
    await recordUsage(db.sql, { orgId, callId: LONG_ID, durationSeconds: '180', billedMinutes: 3, endedAt });

    expect(await drainUsageOutbox(testContext(db.sql, h.stripe))).toEqual({ sent: 2, failed: 0, pending: 0 });
    expect(await statuses(db.sql)).toEqual({ [LONG_ID]: 'sent', 'call-☎-1': 'sent' });
    expect(await meterTotal(customer)).toBe(5);
  });

  it("a retry after a lost answer reuses the batch's identifier and key: Stripe counts the call once", async () => {
    const { orgId, customer, endedAt } = await customerWithCycle(db.sql);
    await recordUsage(db.sql, { orgId, callId: 'call-☎-2', durationSeconds: '240', billedMinutes: 4, endedAt });
    const tries: Array<{ identifier: string | undefined; key: string | undefined }> = [];
    // The event reaches Stripe, but the first answer is lost on the way back.
    const losingFirstAnswer = {
      billing: {
        meterEvents: {
          async create(params: Stripe.Billing.MeterEventCreateParams, opts?: Stripe.RequestOptions) {
            tries.push({ identifier: params.identifier, key: opts?.idempotencyKey });
            const event = await h.stripe.billing.meterEvents.create(params, opts);
            if (tries.length === 1) throw stripeError('StripeConnectionError', undefined, 'socket hang up');
            return event;
          },
        },
      },
    };
    const ctx = testContext(db.sql, losingFirstAnswer);

    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 0, failed: 0, pending: 1 });
    await db.sql.query(
      `update usage_records set stripe_next_attempt_at = now() - interval '1 second' where stripe_status = 'pending'`,
    );
    expect(await drainUsageOutbox(ctx)).toEqual({ sent: 1, failed: 0, pending: 0 });

    const [row] = await db.sql.query<{ b: string }>(`select stripe_batch_id as b from usage_records`);
    const identifier = row!.b; // the batch's id, not the call's: see meter-batch.ts
    expect(tries).toEqual([
      { identifier, key: `usage-${identifier}` },
      { identifier, key: `usage-${identifier}` },
    ]);
    expect(await meterTotal(customer)).toBe(4);
  });
});
