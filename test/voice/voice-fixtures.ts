/**
 * The voice platforms as they call us: payloads in each platform's documented shape, signed as the platform
 * signs them — with the official library where it can sign (twilio's getExpectedTwilioSignature, livekit-server-sdk's
 * AccessToken); ElevenLabs' SDK only verifies, so its signature is made per its docs and checked with the SDK's
 * constructEvent before it is sent. Requests go through the whole app (createApp), sub-path routing included.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { AccessToken, WebhookEvent } from 'livekit-server-sdk';
import twilio from 'twilio';
import { createApp } from '../../src/http/app.ts';
import { route } from '../../src/http/routes/voice-webhook.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { testContext, type TestContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation } from '../support/database.ts';

export const ELEVENLABS_SECRET = 'wsec_test_0123456789abcdef0123456789abcdef';
export const TWILIO_TOKEN = '0123456789abcdef0123456789abcdef';
export const LIVEKIT_KEY = 'APItestkey';
export const LIVEKIT_SECRET = 'livekit-test-secret-of-at-least-32-characters';
export const PUBLIC_FUNCTIONS_URL = 'https://project-ref.supabase.co/functions/v1';
/** Where the request really arrives (behind the gateway): not the URL Twilio signed. */
const LOCAL = 'http://127.0.0.1:54321/functions/v1/voice-webhook';

const silentMeter = { billing: { meterEvents: { create: async () => ({}) } } };

export function voiceContext(sql: Sql, now = new Date()): TestContext {
  const ctx = testContext(sql, silentMeter, now);
  ctx.config = {
    ...ctx.config,
    publicFunctionsUrl: PUBLIC_FUNCTIONS_URL,
    voice: {
      elevenlabsWebhookSecret: ELEVENLABS_SECRET,
      twilioAuthToken: TWILIO_TOKEN,
      livekitApiKey: LIVEKIT_KEY,
      livekitApiSecret: LIVEKIT_SECRET,
    },
  };
  return ctx;
}

export const voiceApp = (ctx: TestContext) => createApp(ctx, [route]);

/** An organisation with an active monthly subscription whose period holds `now`. */
export async function subscribedOrg(sql: Sql, now = new Date()): Promise<string> {
  const customer = `cus_${randomUUID().slice(0, 8)}`;
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
  await createSubscriptionWithCycle(sql, {
    orgId,
    stripeCustomerId: customer,
    periodStart: new Date(now.getTime() - 10 * 86_400_000),
    periodEnd: new Date(now.getTime() + 20 * 86_400_000),
  });
  return orgId;
}

export async function ledger(sql: Sql): Promise<{ call_id: string; org_id: string; billed_minutes: number }[]> {
  return sql.query(`select call_id, org_id::text, billed_minutes from usage_records order by call_id`);
}

export async function voiceEvents(
  sql: Sql,
): Promise<{ platform: string; event_id: string; status: string; reason: string | null; org_id: string | null }[]> {
  return sql.query(
    `select platform, event_id, status, reason, org_id::text from voice_events order by received_at, event_id`,
  );
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

// ---- ElevenLabs: elevenlabs.io/docs/agents-platform/workflows/post-call-webhooks ----

export function elevenLabsTranscription(o: {
  conversationId: string;
  agentId?: string;
  orgId?: string;
  durationSecs: number;
  endedAt: Date;
}): string {
  const start = unix(o.endedAt) - o.durationSecs;
  return JSON.stringify({
    type: 'post_call_transcription',
    event_timestamp: unix(o.endedAt) + 2,
    data: {
      agent_id: o.agentId ?? 'agent_7101k5zvyjhmfg983brhmhkd98n6',
      conversation_id: o.conversationId,
      status: 'done',
      transcript: [
        { role: 'agent', message: 'Hello, how can I help?', time_in_call_secs: 0 },
        { role: 'user', message: 'Book me in for Tuesday.', time_in_call_secs: 3 },
      ],
      metadata: {
        start_time_unix_secs: start,
        call_duration_secs: o.durationSecs,
        cost: 296,
        termination_reason: 'end_call tool was called.',
        phone_call: null,
      },
      analysis: { call_successful: 'success', transcript_summary: 'Booked.' },
      conversation_initiation_client_data: {
        dynamic_variables: o.orgId ? { org_id: o.orgId, user_name: 'Ada' } : { user_name: 'Ada' },
      },
    },
  });
}

export function elevenLabsOther(
  type: 'post_call_audio' | 'call_initiation_failure',
  conversationId: string,
  agentId = 'agent_x',
): string {
  const data =
    type === 'post_call_audio'
      ? { agent_id: agentId, conversation_id: conversationId, full_audio: 'SUQzBAAAAAAA' }
      : { agent_id: agentId, conversation_id: conversationId, failure_reason: 'busy', metadata: { type: 'twilio' } };
  return JSON.stringify({ type, event_timestamp: unix(new Date()), data });
}

/** `t=<unix>,v0=<hex HMAC-SHA256("t.body")>`, checked with the official SDK before use (unless meant to be stale). */
export async function signElevenLabs(body: string, at = new Date(), secret = ELEVENLABS_SECRET): Promise<string> {
  const t = unix(at);
  const header = `t=${t},v0=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  if (at.getTime() > Date.now() - 29 * 60_000)
    await new ElevenLabsClient({ apiKey: 'unused' }).webhooks.constructEvent(body, header, secret);
  return header;
}

export function elevenLabsRequest(body: string, header: string | undefined): Request {
  return new Request(`${LOCAL}/elevenlabs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'elevenlabs-signature': header } : {}) },
    body,
  });
}

// ---- Twilio: twilio.com/docs/voice/api/call-resource#statuscallback ----

export function twilioStatus(o: {
  callSid: string;
  status: string;
  duration?: number;
  direction?: 'inbound' | 'outbound-api';
  to?: string;
  from?: string;
  at?: Date;
}): Record<string, string> {
  return {
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    ApiVersion: '2010-04-01',
    CallSid: o.callSid,
    CallStatus: o.status,
    Called: o.to ?? '+4930123456',
    Caller: o.from ?? '+4915112345678',
    Direction: o.direction ?? 'inbound',
    From: o.from ?? '+4915112345678',
    To: o.to ?? '+4930123456',
    SequenceNumber: '3',
    CallbackSource: 'call-progress-events',
    Timestamp: (o.at ?? new Date()).toUTCString().replace('GMT', '+0000'),
    ...(o.duration !== undefined
      ? { CallDuration: String(o.duration), Duration: String(Math.ceil(o.duration / 60)) }
      : {}),
  };
}

/** Signed by the official library over the public URL Twilio was given (query included). */
export function twilioRequest(params: Record<string, string>, query = '', token = TWILIO_TOKEN): Request {
  const signature = twilio.getExpectedTwilioSignature(
    token,
    `${PUBLIC_FUNCTIONS_URL}/voice-webhook/twilio${query}`,
    params,
  );
  return new Request(`${LOCAL}/twilio${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

// ---- LiveKit: docs.livekit.io/home/server/webhooks ----

export function liveKitRoomFinished(o: {
  id: string;
  roomSid: string;
  roomName?: string;
  orgId?: string;
  created: Date;
  finished: Date;
}): string {
  return WebhookEvent.fromJson({
    event: 'room_finished',
    id: o.id,
    createdAt: unix(o.finished),
    room: {
      sid: o.roomSid,
      name: o.roomName ?? 'call-1',
      emptyTimeout: 300,
      creationTime: unix(o.created),
      metadata: o.orgId ? JSON.stringify({ org_id: o.orgId }) : '',
      numParticipants: 0,
    },
  }).toJsonString();
}

export function liveKitEvent(event: string, id: string): string {
  return WebhookEvent.fromJson({
    event,
    id,
    createdAt: unix(new Date()),
    room: { sid: 'RM_other', name: 'call-x' },
  }).toJsonString();
}

/** The Authorization LiveKit sends: a JWT from the API key/secret whose sha256 claim is the body's. */
export async function liveKitRequest(
  body: string,
  o: { key?: string; secret?: string; ttl?: string } = {},
): Promise<Request> {
  const token = new AccessToken(o.key ?? LIVEKIT_KEY, o.secret ?? LIVEKIT_SECRET, { ttl: o.ttl ?? '5m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return new Request(`${LOCAL}/livekit`, {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
    body,
  });
}
