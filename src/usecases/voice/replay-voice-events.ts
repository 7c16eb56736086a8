/**
 * `aisyst-billing voice-events replay [--since]`: bills again every voice event billing has not settled —
 * unattributed (after an operator linked the agent), failed, or left `received` by a crash — through the same
 * step as the webhook (bill-voice-call.ts). The ledger's unique call_id makes a re-run, or a race with a
 * redelivery, add nothing.
 */
import type { AppContext } from '../context.ts';
import { listUnsettledVoiceEvents, type VoiceEventStatus } from '../../repositories/voice-events.ts';
import { billVoiceCall } from './bill-voice-call.ts';
import type { VoicePlatform } from './voice-event.ts';

export interface ReplayedVoiceEvent {
  platform: VoicePlatform;
  eventId: string;
  callId: string;
  status: VoiceEventStatus;
  reason: string | null;
}

export async function replayVoiceEvents(ctx: AppContext, options: { since?: Date }): Promise<ReplayedVoiceEvent[]> {
  const rows: ReplayedVoiceEvent[] = [];
  for (const event of await listUnsettledVoiceEvents(ctx.sql, options.since)) {
    if (!event.call) continue;
    const outcome = await billVoiceCall(ctx, { ...event, call: event.call });
    rows.push({
      platform: event.platform,
      eventId: event.eventId,
      callId: event.call.callId,
      status: outcome.status,
      reason: outcome.reason,
    });
  }
  return rows;
}
