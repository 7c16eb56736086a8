/**
 * Steps of the reconciliation stories: drift injected the ways it happens in production, through the official
 * SDK against the emulator and through the ledger's own function, never by editing Stripe's state directly.
 */
import type { TestStack } from '../support/stack.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import type { Customer } from '../scenarios/world.ts';
import { at } from '../scenarios/world.ts';

/** A meter event for the customer that our ledger never recorded (someone sent it behind our back). */
export async function meterEventBehindOurBack(
  stack: TestStack,
  c: Customer,
  identifier: string,
  minutes: number,
  iso: string,
) {
  await stack.stripe.billing.meterEvents.create({
    event_name: 'voice_call_minutes',
    identifier,
    timestamp: at(iso),
    payload: { stripe_customer_id: c.customerId, value: String(minutes) },
  });
}

/**
 * A call the ledger holds as delivered an hour ago although Stripe never received it (an outbox row marked sent
 * by mistake). Recorded and marked in one transaction, so the deliverer never sees it pending.
 */
export async function callMarkedSentNeverReceived(
  stack: TestStack,
  c: Customer,
  callId: string,
  minutes: number,
  iso: string,
) {
  await stack.sql.transaction(async (tx) => {
    await recordUsage(tx, {
      orgId: c.orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(iso),
    });
    await tx.query(
      `update usage_records set stripe_status = 'sent', stripe_sent_at = now() - interval '1 hour' where call_id = $1`,
      [callId],
    );
  });
}

/** A call Stripe refused for good (a 4xx): failed in the outbox, never counted at Stripe. Recorded and failed at once. */
export async function callRefusedByStripe(stack: TestStack, c: Customer, callId: string, minutes: number, iso: string) {
  await stack.sql.transaction(async (tx) => {
    await recordUsage(tx, {
      orgId: c.orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(iso),
    });
    await tx.query(
      `update usage_records set stripe_status = 'failed', stripe_attempts = 1,
         stripe_last_error = 'StripeInvalidRequestError 400 refused' where call_id = $1`,
      [callId],
    );
  });
}

/** A call still waiting in the outbox (its next attempt is a day away). */
export async function callStillPending(stack: TestStack, c: Customer, callId: string, minutes: number, iso: string) {
  await stack.sql.transaction(async (tx) => {
    await recordUsage(tx, {
      orgId: c.orgId,
      callId,
      durationSeconds: minutes * 60,
      billedMinutes: minutes,
      endedAt: new Date(iso),
    });
    await tx.query(`update usage_records set stripe_next_attempt_at = now() + interval '1 day' where call_id = $1`, [
      callId,
    ]);
  });
}

/**
 * Our deliverer's first attempt for this call's meter event reached Stripe but its answer was lost; the retry came
 * after Stripe had forgotten the identifier, so Stripe counted the event twice (same identifier, same value).
 */
export async function callCountedTwice(stack: TestStack, c: Customer, callId: string, iso: string) {
  // The meter event that carried the call: its batch (stripe_batch_id, migration 20261201001300), else the call.
  const [event] = await stack.sql.query<{ identifier: string; minutes: number }>(
    `select coalesce(u.stripe_batch_id, u.call_id) as identifier, sum(v.billed_minutes)::int as minutes
       from usage_records u join usage_records v
         on coalesce(v.stripe_batch_id, v.call_id) = coalesce(u.stripe_batch_id, u.call_id)
      where u.call_id = $1 group by 1`,
    [callId],
  );
  await stack.sql.query(`update usage_records set stripe_attempts = 2 where coalesce(stripe_batch_id, call_id) = $1`, [
    event!.identifier,
  ]);
  await meterEventBehindOurBack(stack, c, event!.identifier, event!.minutes, iso);
}

export async function cancelMeterEvent(stack: TestStack, identifier: string) {
  await stack.stripe.billing.meterEventAdjustments.create({
    event_name: 'voice_call_minutes',
    type: 'cancel',
    cancel: { identifier },
  });
}

/**
 * `advanceTo` of the scenarios, usable in `beforeAll` (where `expect.poll` is not): advance the customer's clock
 * and wait until Stripe has finished with it and every webhook was handled.
 */
export async function advanceClockTo(stack: TestStack, c: Customer, iso: string): Promise<void> {
  await stack.stripe.testHelpers.testClocks.advance(c.clock.id, { frozen_time: at(iso) });
  for (let i = 0; i < 600; i++) {
    if ((await stack.stripe.testHelpers.testClocks.retrieve(c.clock.id)).status === 'ready') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stack.emulator!.waitForIdle();
}

/** Until every call but `except` has left the outbox as sent. */
export async function deliveredExcept(stack: TestStack, except: string[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [row] = await stack.sql.query<{ n: number }>(
      `select count(*)::int as n from usage_records where stripe_status = 'pending' and not (call_id = any($1))`,
      [except],
    );
    if (row!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stuck = await stack.sql.query(
    `select call_id, stripe_last_error from usage_records where stripe_status = 'pending' and not (call_id = any($1))`,
    [except],
  );
  throw new Error(`usage was not delivered within 30 s: ${JSON.stringify(stuck)}`);
}
