/**
 * ElevenLabs post-call webhooks (elevenlabs.io/docs/agents-platform/workflows/post-call-webhooks): header
 * `ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">` with the webhook's secret.
 * The same check as the official SDK's `webhooks.constructEvent` (@elevenlabs/elevenlabs-js, too heavy for the
 * Edge bundle), including its tolerance: a timestamp more than 30 minutes old is stale. test/voice cross-checks it.
 * Billed: `post_call_transcription`; `post_call_audio` and `call_initiation_failure` are stored and ignored.
 */
import { AppError } from '../../errors.ts';
import { invalidSignature, notConfigured } from './platform-errors.ts';
import { constantTimeEqual } from '../../domain/constant-time.ts';
import { hmac, toHex } from './signature-crypto.ts';
import type { VoiceEvent } from './voice-event.ts';

export const ELEVENLABS_TOLERANCE_MS = 30 * 60 * 1000;
const KNOWN_TYPES = new Set(['post_call_transcription', 'post_call_audio', 'call_initiation_failure']);

export async function verifyElevenLabs(
  header: string | null,
  rawBody: string,
  secret: string | undefined,
  now: Date,
): Promise<void> {
  if (!secret) throw notConfigured('ELEVENLABS_WEBHOOK_SECRET', 'ElevenLabs');
  if (!header)
    throw invalidSignature(
      'Missing the ElevenLabs-Signature header: this endpoint only accepts webhooks signed by ElevenLabs.',
    );
  const parts = header.split(',');
  const timestamp = parts.find((p) => p.startsWith('t='))?.slice(2);
  const signature = parts.find((p) => p.startsWith('v0='));
  if (!timestamp || !signature || !/^\d+$/.test(timestamp))
    throw invalidSignature('The ElevenLabs-Signature header is not t=<timestamp>,v0=<hash>.');
  if (Number(timestamp) * 1000 < now.getTime() - ELEVENLABS_TOLERANCE_MS)
    throw invalidSignature('The ElevenLabs signature is older than 30 minutes (stale or replayed).');
  const expected = `v0=${toHex(await hmac('SHA-256', secret, `${timestamp}.${rawBody}`))}`;
  if (!constantTimeEqual(signature, expected))
    throw invalidSignature("The ElevenLabs signature does not match this endpoint's ELEVENLABS_WEBHOOK_SECRET.");
}

export function parseElevenLabsEvent(rawBody: string): VoiceEvent {
  // biome-ignore lint/suspicious/noExplicitAny: each field read below is checked for its type before use
  const body = parseJson(rawBody) as { type?: unknown; event_timestamp?: unknown; data?: Record<string, any> };
  const type = body.type;
  const data = body.data;
  const conversationId = data?.conversation_id;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type))
    throw malformed(`type must be one of ${[...KNOWN_TYPES].join(', ')}`);
  if (typeof conversationId !== 'string' || conversationId === '') throw malformed('data.conversation_id is missing');
  const event: VoiceEvent = {
    platform: 'elevenlabs',
    eventId: `${conversationId}:${type}`,
    eventType: type,
    call: undefined,
  };
  if (type !== 'post_call_transcription') return event;
  const metadata = data?.metadata as Record<string, unknown> | undefined;
  const duration = metadata?.call_duration_secs;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)
    throw malformed('data.metadata.call_duration_secs must be a number of seconds');
  const start = metadata?.start_time_unix_secs;
  const endedAt =
    typeof start === 'number'
      ? new Date((start + duration) * 1000)
      : typeof body.event_timestamp === 'number'
        ? new Date(body.event_timestamp * 1000)
        : undefined;
  if (!endedAt || Number.isNaN(endedAt.getTime()))
    throw malformed('data.metadata.start_time_unix_secs or event_timestamp is needed to date the call');
  const orgId = data?.conversation_initiation_client_data?.dynamic_variables?.org_id;
  return {
    ...event,
    call: {
      callId: `elevenlabs:${conversationId}`,
      durationSeconds: duration,
      endedAt,
      metadataOrgId: typeof orgId === 'string' && orgId !== '' ? orgId : undefined,
      externalId: typeof data?.agent_id === 'string' && data.agent_id !== '' ? data.agent_id : undefined,
    },
  };
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through
  }
  throw malformed('the body is not a JSON object');
}

function malformed(why: string): AppError {
  return new AppError('invalid_request', `Signed, but not an ElevenLabs post-call webhook: ${why}.`);
}
