/**
 * The meter events our deliverer sent for a set of calls: one per batch (identifier = the batch id, value = the
 * batch's minutes, timestamp = its latest call end; usecases/usage/meter-batch.ts), or one per call for a call sent
 * alone before batching (identifier from meter-identifier.ts). A repair resends or cancels exactly these.
 */
import type { LedgerCall } from '../../repositories/reconciliation-ledger.ts';
import { meterIdentifier } from '../usage/meter-identifier.ts';

export interface SentMeterEvent {
  identifier: string;
  minutes: number;
  endedAt: Date;
  calls: LedgerCall[];
  /** Stripe refused it (the ledger says it never accepted it). */
  refused: boolean;
}

export async function meterEventsOf(calls: LedgerCall[]): Promise<SentMeterEvent[]> {
  const byIdentifier = new Map<string, SentMeterEvent>();
  for (const call of calls) {
    const identifier = call.stripe_batch_id ?? (await meterIdentifier(call.call_id));
    const event = byIdentifier.get(identifier) ?? {
      identifier,
      minutes: 0,
      endedAt: call.ended_at,
      calls: [],
      refused: false,
    };
    event.minutes += call.billed_minutes;
    if (call.ended_at > event.endedAt) event.endedAt = call.ended_at;
    event.refused ||= call.stripe_status === 'failed';
    event.calls.push(call);
    byIdentifier.set(identifier, event);
  }
  return [...byIdentifier.values()];
}
