/**
 * `reconcile --repair` for one drifting cycle: only the two repairs that cannot make things worse
 * (README.md beside this file says why every other case needs a person).
 *
 * - Minutes missing at Stripe: resend, each with its own identifier and value, the meter events (a batch of calls,
 *   meter-events-of-calls.ts) Stripe refused (the ledger says it never accepted them) and those sent within the
 *   last 24 h. Stripe rejects an identifier it already holds
 *   for at least 24 hours (docs.stripe.com/api/billing/meter-event/create), so each resend either fills the gap or
 *   is refused as a duplicate: nothing can be counted twice. Older calls cannot be resent safely.
 * - Stripe holding more than the ledger: cancel by identifier, with a meter event adjustment
 *   (docs.stripe.com/api/billing/meter-event-adjustment/create), only our own meter events whose delivery was
 *   retried and whose minutes add up EXACTLY to the excess, and only within the 24 h after Stripe received them ("You can only
 *   cancel events sent to Stripe within the last 24 hours",
 *   docs.stripe.com/billing/subscriptions/usage-based/recording-usage#fix-incorrect-usage-data). Anything else
 *   (an event with an identifier we never sent, a partial match) would be a guess.
 * - An invoice that disagrees is never repaired here: Stripe does not change a finalised invoice for cancelled
 *   usage (same page); crediting or billing the difference is a person's decision.
 * Both write paths carry idempotency keys that name the exact operation, so two repairs at once, or a retry, send
 * each request once.
 */
import type Stripe from 'stripe';
import { METER } from '../../domain/catalog.ts';
import type { Sql } from '../../ports/sql.ts';
import {
  listResendableCalls,
  listRetriedRecentCalls,
  markCallsResent,
} from '../../repositories/reconciliation-ledger.ts';
import { describeStripeError, isDuplicateMeterEvent } from '../usage/stripe-errors.ts';
import type { MeterWindow } from './meter-window.ts';
import { meterEventsOf, type SentMeterEvent } from './meter-events-of-calls.ts';

/** Stripe's identifier dedupe and its adjustment window: both 24 hours. */
export const STRIPE_DEDUPE_SECONDS = 24 * 3600;

export interface RepairTarget {
  orgId: string;
  customer: string;
  window: MeterWindow;
  meterDifference: number;
}

export interface RepairPorts {
  sql: Sql;
  stripe: Stripe;
}

export interface RepairOutcome {
  /** What was done, in words, for the run's row. */
  done: string;
  /** Whether it accounts for the whole difference (the next run should find the cycle clean). */
  complete: boolean;
}

/** undefined when nothing could be done safely: the cycle needs a person. */
export async function repairCycle(ports: RepairPorts, t: RepairTarget): Promise<RepairOutcome | undefined> {
  if (t.meterDifference < 0) return resendMissing(ports, t);
  if (t.meterDifference > 0) return cancelDoubleCount(ports, t);
  return undefined;
}

async function resendMissing(ports: RepairPorts, t: RepairTarget): Promise<RepairOutcome | undefined> {
  const events = await meterEventsOf(
    await listResendableCalls(ports.sql, {
      orgId: t.orgId,
      from: t.window.from,
      to: t.window.to,
      dedupeSeconds: STRIPE_DEDUPE_SECONDS,
    }),
  );
  if (events.length === 0) return undefined;
  let accepted = 0;
  let present = 0;
  const errors: string[] = [];
  for (const event of events) {
    const outcome = await resend(ports.stripe, t.customer, event);
    if (outcome === 'accepted' || outcome === 'present') {
      if (outcome === 'accepted') accepted += event.minutes;
      else present++;
      if (event.refused)
        await markCallsResent(
          ports.sql,
          event.calls.map((c) => c.id),
        );
    } else errors.push(`${event.identifier}: ${outcome.error}`);
  }
  const parts = [`resent ${events.length} meter event(s): ${accepted} min accepted, ${present} already at Stripe`];
  if (errors.length > 0) parts.push(`refused: ${errors.join('; ')}`);
  return { done: parts.join('; '), complete: errors.length === 0 && accepted === -t.meterDifference };
}

async function resend(
  stripe: Stripe,
  customer: string,
  event: SentMeterEvent,
): Promise<'accepted' | 'present' | { error: string }> {
  try {
    await stripe.billing.meterEvents.create(
      {
        event_name: METER.eventName,
        payload: { stripe_customer_id: customer, value: String(event.minutes) },
        identifier: event.identifier,
        timestamp: Math.floor(event.endedAt.getTime() / 1000),
      },
      { idempotencyKey: `reconcile-resend-${event.identifier}` },
    );
    return 'accepted';
  } catch (error) {
    if (isDuplicateMeterEvent(error)) return 'present';
    return { error: describeStripeError(error) };
  }
}

async function cancelDoubleCount(ports: RepairPorts, t: RepairTarget): Promise<RepairOutcome | undefined> {
  const retried = await meterEventsOf(
    await listRetriedRecentCalls(ports.sql, {
      orgId: t.orgId,
      from: t.window.from,
      to: t.window.to,
      windowSeconds: STRIPE_DEDUPE_SECONDS,
    }),
  );
  const minutes = retried.reduce((sum, e) => sum + e.minutes, 0);
  if (retried.length === 0 || minutes !== t.meterDifference) return undefined;
  const done: string[] = [];
  for (const event of retried) {
    try {
      await ports.stripe.billing.meterEventAdjustments.create(
        { event_name: METER.eventName, type: 'cancel', cancel: { identifier: event.identifier } },
        { idempotencyKey: `reconcile-cancel-${event.identifier}` },
      );
      done.push(event.identifier);
    } catch (error) {
      const failure = `${event.identifier}: ${describeStripeError(error)}`;
      return {
        done: `cancelled ${done.length} of ${retried.length} double-counted event(s); ${failure}`,
        complete: false,
      };
    }
  }
  return { done: `cancelled the double count of ${done.join(', ')} (${minutes} min)`, complete: true };
}
