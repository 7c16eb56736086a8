/**
 * One verified platform event, reduced to what billing needs. Each platform's parser (elevenlabs.ts, twilio.ts,
 * livekit.ts) verifies the signature first and then produces this; receive-voice-event.ts stores and bills it.
 */
export const VOICE_PLATFORMS = ['elevenlabs', 'twilio', 'livekit'] as const;
export type VoicePlatform = (typeof VOICE_PLATFORMS)[number];

export function isVoicePlatform(text: string): text is VoicePlatform {
  return (VOICE_PLATFORMS as readonly string[]).includes(text);
}

/** A finished call as the platform reported it. */
export interface VoiceCall {
  /** `<platform>:<the platform's call id>`: the ledger's call_id. */
  callId: string;
  durationSeconds: number;
  endedAt: Date;
  /** org_id from the call's own metadata (set by AiSyst when it started the call), as sent. */
  metadataOrgId: string | undefined;
  /** What an operator's link names instead: ElevenLabs agent_id, Twilio AiSyst number, LiveKit room name. */
  externalId: string | undefined;
}

export interface VoiceEvent {
  platform: VoicePlatform;
  /** Unique per platform: a redelivery carries the same one. */
  eventId: string;
  eventType: string;
  /** Undefined for an event that is not a finished call (stored as `ignored`). */
  call: VoiceCall | undefined;
}
