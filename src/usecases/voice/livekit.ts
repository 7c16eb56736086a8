/**
 * LiveKit webhooks (docs.livekit.io/home/server/webhooks): `Authorization: <JWT>` signed HS256 with the API
 * secret, issuer the API key, whose `sha256` claim is the base64 SHA-256 of the raw body; checked as the official
 * WebhookReceiver does (livekit-server-sdk; its protobuf runtime is more than the Edge bundle needs), with jose as
 * it uses, its 10 s clock tolerance and `exp` required. test/voice cross-checks it against WebhookReceiver.
 * Billed: `room_finished`, the duration being the event's created_at − room.creation_time; others are ignored.
 * The body is protobuf JSON: camelCase names and int64 as strings, snake_case accepted too.
 */
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { AppError } from '../../errors.ts';
import { invalidSignature, notConfigured } from './platform-errors.ts';
import { sha256, toBase64 } from './signature-crypto.ts';
import type { VoiceEvent } from './voice-event.ts';

export async function verifyLiveKit(
  header: string | null,
  rawBody: string,
  apiKey: string | undefined,
  apiSecret: string | undefined,
  now: Date,
): Promise<void> {
  if (!apiKey) throw notConfigured('LIVEKIT_API_KEY', 'LiveKit');
  if (!apiSecret) throw notConfigured('LIVEKIT_API_SECRET', 'LiveKit');
  if (!header)
    throw invalidSignature('Missing the Authorization header: this endpoint only accepts webhooks signed by LiveKit.');
  const token = header.replace(/^Bearer\s+/i, '');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, new TextEncoder().encode(apiSecret), {
      issuer: apiKey,
      algorithms: ['HS256'],
      clockTolerance: 10,
      requiredClaims: ['exp'],
      currentDate: now,
    }));
  } catch (error) {
    const reason =
      error instanceof joseErrors.JWTExpired
        ? 'the token has expired'
        : 'not a token signed with LIVEKIT_API_SECRET for LIVEKIT_API_KEY';
    throw invalidSignature(`The LiveKit Authorization is refused: ${reason}.`);
  }
  if (claims.sha256 !== toBase64(await sha256(rawBody)))
    throw invalidSignature("The LiveKit token does not carry this body's SHA-256.");
}

export function parseLiveKitEvent(rawBody: string): VoiceEvent {
  // biome-ignore lint/suspicious/noExplicitAny: each field read below is checked for its type before use
  let body: Record<string, any>;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    body = JSON.parse(rawBody) as Record<string, any>;
  } catch {
    throw malformed('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null) throw malformed('the body is not a JSON object');
  const type = body.event;
  const id = body.id;
  if (typeof type !== 'string' || type === '') throw malformed('event is missing');
  if (typeof id !== 'string' || id === '') throw malformed('id is missing');
  const event: VoiceEvent = { platform: 'livekit', eventId: id, eventType: type, call: undefined };
  if (type !== 'room_finished') return event;
  const room = body.room as Record<string, unknown> | undefined;
  const sid = room?.sid;
  const createdAt = seconds(body.createdAt ?? body.created_at);
  const roomCreated = seconds(room?.creationTime ?? room?.creation_time);
  if (typeof sid !== 'string' || sid === '') throw malformed('room.sid is missing');
  if (createdAt === undefined || roomCreated === undefined || createdAt < roomCreated)
    throw malformed('createdAt and room.creationTime must be unix seconds, the room created first');
  const name = room?.name;
  return {
    ...event,
    call: {
      callId: `livekit:${sid}`,
      durationSeconds: createdAt - roomCreated,
      endedAt: new Date(createdAt * 1000),
      metadataOrgId: orgIdOf(room?.metadata),
      externalId: typeof name === 'string' && name !== '' ? name : undefined,
    },
  };
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Room metadata is free text; AiSyst sets it to JSON `{"org_id": …}` when it creates the room. */
function orgIdOf(metadata: unknown): string | undefined {
  if (typeof metadata !== 'string' || metadata === '') return undefined;
  try {
    const orgId = (JSON.parse(metadata) as { org_id?: unknown }).org_id;
    return typeof orgId === 'string' && orgId !== '' ? orgId : undefined;
  } catch {
    return undefined;
  }
}

function malformed(why: string): AppError {
  return new AppError('invalid_request', `Signed, but not a LiveKit webhook: ${why}.`);
}
