/**
 * Fault: Stripe goes away in the middle of the month. Calls keep being accepted (the ledger is ours); once
 * Stripe is back every call reaches the meter exactly once — the meter's total equals the recorded minutes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator } from '@aisyst/stripe-emulator';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { at, reportCall, signUpWithOrganisation, subscribe, summaryOf, usageDelivered } from './world.ts';

const SECRET = 'whsec_outage_scenario_secret';

describe('Stripe is down for a while', () => {
  let dir: string;
  let emulator: RunningStripeEmulator;
  let world: TestStack;
  let stack: TestStack;
  const startEmulator = (port: number) =>
    startStripeEmulator({
      port,
      stateFile: join(dir, 'stripe.json'),
      webhookSecret: SECRET,
      webhookRetryScheduleMs: [50, 100, 200],
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisyst-outage-'));
    emulator = await startEmulator(0);
    stack = await startTestStack({ env: { STRIPE_API_BASE: emulator.url, STRIPE_WEBHOOK_SECRET: SECRET } });
    // The world's steps wait on "the emulator"; it is ours here, and it will be replaced after the outage.
    world = Object.assign(Object.create(null), stack, {
      get emulator() {
        return emulator;
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await emulator?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts usage during the outage and delivers every call exactly once when Stripe returns', async () => {
    const org = await signUpWithOrganisation(world, 'Outage Voice');
    await subscribe(world, org, 'Starter', 'monthly');
    for (let i = 0; i < 3; i++)
      expect((await reportCall(world, org, `before-${i}`, 10 + i, '2026-11-05T10:00:00Z')).status).toBe(200);
    await usageDelivered(world);

    const port = emulator.port;
    await emulator.close();
    for (let i = 0; i < 5; i++) {
      const res = await reportCall(world, org, `during-${i}`, 20 + i, '2026-11-06T10:00:00Z');
      expect(res.status).toBe(200);
      expect(res.json.cycle.minutes_used).toBe(33 + 20 * (i + 1) + (i * (i + 1)) / 2);
    }
    expect((await summaryOf(world, org)).invoices_unavailable).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await stack.sql.query<{ n: number }>(
              `select count(*)::int as n from usage_records where stripe_status = 'pending' and stripe_last_error is not null`,
            )
          )[0]!.n,
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);

    emulator = await startEmulator(port);
    await usageDelivered(world);

    const recorded = (
      await stack.sql.query<{ minutes: number; sent: number }>(
        `select sum(billed_minutes)::int as minutes, count(*) filter (where stripe_status = 'sent')::int as sent from usage_records where org_id = $1`,
        [org.orgId],
      )
    )[0]!;
    expect(recorded).toEqual({ minutes: 33 + 110, sent: 8 });
    const meter = (await stack.stripe.billing.meters.list()).data.find((m) => m.event_name === 'voice_call_minutes')!;
    const customer = (
      await stack.sql.query<{ c: string }>('select stripe_customer_id as c from organisations where id = $1', [
        org.orgId,
      ])
    )[0]!.c;
    const summaries = await stack.stripe.billing.meters.listEventSummaries(meter.id, {
      customer,
      start_time: at('2026-11-01T00:00:00Z'),
      end_time: at('2026-12-01T00:00:00Z'),
    });
    expect(summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0)).toBe(recorded.minutes);
  });
});
