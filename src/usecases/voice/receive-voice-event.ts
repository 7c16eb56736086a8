/**
 * A verified platform event: stored once, then (if it is a finished call) billed, before the webhook answers.
 * A redelivery finds the stored row and records nothing new; only an event a crash left `received` is billed
 * again, and the ledger's unique call_id makes that (and any race of deliveries) one call.
 * Unattributed and failed events wait for `aisyst-billing voice-events replay` (replay-voice-events.ts).
 */
import type { AppContext } from '../context.ts';
import { storeVoiceEvent, type VoiceEventStatus } from '../../repositories/voice-events.ts';
import { billVoiceCall } from './bill-voice-call.ts';
import type { VoiceEvent } from './voice-event.ts';

export interface ReceivedVoiceEvent {
  status: VoiceEventStatus;
  duplicate: boolean;
  callId: string | undefined;
  reason: string | null;
}

export async function receiveVoiceEvent(ctx: AppContext, event: VoiceEvent): Promise<ReceivedVoiceEvent> {
  const { stored, inserted } = await storeVoiceEvent(ctx.sql, event);
  const callId = stored.call?.callId;
  if (stored.status !== 'received' || !stored.call)
    return { status: stored.status, duplicate: !inserted, callId, reason: stored.reason };
  const outcome = await billVoiceCall(ctx, { ...stored, call: stored.call });
  return { status: outcome.status, duplicate: !inserted, callId, reason: outcome.reason };
}
