/**
 * Bills one stored voice event's call through the same use case as report-usage (record-usage.ts), so the
 * ledger's unique call_id makes a redelivery, a replay or a race of both one call. What happened is written back
 * on the event: billed, unbilled (recorded; no active subscription, as report-usage answers 409), unattributed
 * (no organisation: replay after linking) or failed (the ledger refused the call: the reason says why).
 * A database failure propagates: the webhook answers 5xx and the platform retries; the event stays `received`.
 */
import { isUuid } from '../../domain/uuid.ts';
import { AppError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { findLinkedOrg } from '../../repositories/voice-agent-links.ts';
import { markVoiceEvent, type StoredVoiceEvent, type VoiceEventStatus } from '../../repositories/voice-events.ts';
import { recordFinishedCall } from '../record-usage.ts';
import type { VoiceCall, VoicePlatform } from './voice-event.ts';

export interface VoiceBillingOutcome {
  status: VoiceEventStatus;
  reason: string | null;
  orgId: string | null;
  billedMinutes?: number;
}

const LINKED_BY: Record<VoicePlatform, string> = {
  elevenlabs: 'agent_id',
  twilio: 'AiSyst number',
  livekit: 'room name',
};

export async function billVoiceCall(
  ctx: AppContext,
  event: StoredVoiceEvent & { call: VoiceCall },
): Promise<VoiceBillingOutcome> {
  const outcome = await bill(ctx, event.platform, event.call);
  await markVoiceEvent(ctx.sql, event, outcome);
  return outcome;
}

async function bill(ctx: AppContext, platform: VoicePlatform, call: VoiceCall): Promise<VoiceBillingOutcome> {
  const payer = await resolvePayer(ctx, platform, call);
  if ('reason' in payer) return { status: 'unattributed', reason: payer.reason, orgId: null };
  try {
    const recorded = await recordFinishedCall(ctx, {
      orgId: payer.orgId,
      callId: call.callId,
      duration: { seconds: call.durationSeconds },
      endedAt: call.endedAt,
    });
    return { status: 'billed', reason: null, orgId: payer.orgId, billedMinutes: recorded.billedMinutes };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    switch (error.code) {
      case 'no_active_subscription':
        return { status: 'unbilled', reason: error.message, orgId: payer.orgId };
      case 'organisation_not_found':
        return {
          status: 'unattributed',
          reason: `${payer.source} names no organisation (${payer.orgId})`,
          orgId: null,
        };
      case 'call_id_conflict':
      case 'invalid_request':
        return { status: 'failed', reason: `${error.code}: ${error.message}`, orgId: payer.orgId };
      default:
        throw error;
    }
  }
}

/** The call's own metadata first (AiSyst set it when starting the call), else an operator's link. */
async function resolvePayer(
  ctx: AppContext,
  platform: VoicePlatform,
  call: VoiceCall,
): Promise<{ orgId: string; source: string } | { reason: string }> {
  if (call.metadataOrgId !== undefined && isUuid(call.metadataOrgId))
    return { orgId: call.metadataOrgId.toLowerCase(), source: "the call's metadata org_id" };
  const badMetadata = call.metadataOrgId !== undefined ? `the call's metadata org_id is not an organisation id; ` : '';
  if (call.externalId === undefined)
    return { reason: `${badMetadata}no org_id in the call's metadata and no ${LINKED_BY[platform]} to look up a link` };
  const linked = await findLinkedOrg(ctx.sql, platform, call.externalId);
  if (linked) return { orgId: linked, source: `the link of ${platform} ${LINKED_BY[platform]} ${call.externalId}` };
  return {
    reason: `${badMetadata}no org_id in the call's metadata and no link for ${platform} ${LINKED_BY[platform]} ${call.externalId}`,
  };
}
