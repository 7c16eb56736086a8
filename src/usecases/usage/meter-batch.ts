/**
 * A batch: the calls one claim took (one organisation, one Stripe customer, one billing cycle), sent as ONE meter
 * event whose value is their billed minutes summed and whose identifier is the batch id stored on each of them
 * (repositories/usage-outbox.ts, migration 20261201001300). The id is random, made before the claim; a retried
 * batch keeps the id it was claimed under, so Stripe deduplicates a resend of the batch as it did a single call's.
 */
import type { OutboxRow } from '../../repositories/usage-outbox.ts';

export interface MeterBatch {
  /** The meter event identifier: `b_` + 32 hex digits (or, for a call attempted alone before batching, its own). */
  id: string;
  orgId: string;
  customer: string | null;
  calls: OutboxRow[];
  /** Σ billed minutes of the calls. */
  minutes: number;
  /** The latest end among the calls: the event's timestamp (every call is in the same billing period). */
  endedAt: Date;
  /** Attempts including this one, and the idempotency-key generation (usage/idempotency-key.ts). */
  attempts: number;
  keyGeneration: number;
  onTestClock: boolean;
}

export const newBatchId = (): string => `b_${crypto.randomUUID().replaceAll('-', '')}`;

/** The claimed rows as a batch; undefined when the claim found nothing due. */
export function toBatch(rows: OutboxRow[]): MeterBatch | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    id: first.stripe_batch_id,
    orgId: first.org_id,
    customer: first.stripe_customer_id,
    calls: rows,
    minutes: rows.reduce((sum, r) => sum + r.billed_minutes, 0),
    endedAt: new Date(Math.max(...rows.map((r) => r.ended_at.getTime()))),
    attempts: Math.max(...rows.map((r) => r.stripe_attempts)),
    keyGeneration: Math.max(...rows.map((r) => r.stripe_key_generation)),
    onTestClock: rows.some((r) => r.on_test_clock),
  };
}

/** Rows of several claims as their batches, by batch id, in the order the rows came. */
export function toBatches(rows: OutboxRow[]): MeterBatch[] {
  const byId = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const calls = byId.get(row.stripe_batch_id);
    if (calls) calls.push(row);
    else byId.set(row.stripe_batch_id, [row]);
  }
  return [...byId.values()].map((calls) => toBatch(calls)!);
}
