/**
 * Twilio Voice status callbacks (twilio.com/docs/voice/api/call-resource#statuscallback), verified as Twilio's
 * RequestValidator does (twilio.com/docs/usage/webhooks/webhooks-security): base64 HMAC-SHA1, keyed with the auth
 * token, of the full URL Twilio called followed by every POST parameter's name and value, sorted by name. The
 * `twilio` package is far too heavy for the Edge bundle; test/voice cross-checks this against its validateRequest.
 * The URL is PUBLIC_FUNCTIONS_URL + /voice-webhook/twilio + the query: behind Supabase's gateway the request URL
 * the function sees is not the one Twilio signed. Like the library, the URL is tried with and without its port.
 * Billed: CallStatus=completed (CallDuration seconds); every other status is stored and ignored.
 */
import { AppError } from '../../errors.ts';
import { invalidSignature, notConfigured } from './platform-errors.ts';
import { constantTimeEqual } from '../../domain/constant-time.ts';
import { hmac, toBase64 } from './signature-crypto.ts';
import type { VoiceEvent } from './voice-event.ts';

export type TwilioParams = Map<string, string[]>;

export function parseTwilioForm(rawBody: string): TwilioParams {
  const params: TwilioParams = new Map();
  for (const [key, value] of new URLSearchParams(rawBody)) params.set(key, [...(params.get(key) ?? []), value]);
  return params;
}

export async function twilioSignature(authToken: string, url: string, params: TwilioParams): Promise<string> {
  let data = url;
  for (const key of [...params.keys()].sort())
    for (const value of [...new Set(params.get(key))].sort()) data += key + value;
  return toBase64(await hmac('SHA-1', authToken, data));
}

export async function verifyTwilio(
  header: string | null,
  url: string,
  params: TwilioParams,
  authToken: string | undefined,
): Promise<void> {
  if (!authToken) throw notConfigured('TWILIO_AUTH_TOKEN', 'Twilio');
  if (!header)
    throw invalidSignature(
      'Missing the X-Twilio-Signature header: this endpoint only accepts callbacks signed by Twilio.',
    );
  for (const candidate of withAndWithoutPort(url)) {
    if (constantTimeEqual(header, await twilioSignature(authToken, candidate, params))) return;
  }
  throw invalidSignature(
    'The Twilio signature does not match TWILIO_AUTH_TOKEN over PUBLIC_FUNCTIONS_URL/voice-webhook/twilio (is PUBLIC_FUNCTIONS_URL the URL Twilio calls?).',
  );
}

function withAndWithoutPort(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const authority = /^[a-z]+:\/\/[^/?#]*/i.exec(url)![0];
  const rest = url.slice(authority.length);
  const scheme = `${parsed.protocol}//`;
  const bare = `${scheme}${parsed.hostname}${rest}`;
  const ported = `${scheme}${parsed.hostname}:${parsed.port || defaultPort}${rest}`;
  return [...new Set([url, bare, ported])];
}

export function parseTwilioEvent(params: TwilioParams, query: URLSearchParams, now: Date): VoiceEvent {
  const one = (name: string) => params.get(name)?.[0];
  const callSid = one('CallSid');
  const status = one('CallStatus');
  if (!callSid || !/^CA\w+$/.test(callSid)) throw malformed('CallSid is missing');
  if (!status) throw malformed('CallStatus is missing');
  const event: VoiceEvent = { platform: 'twilio', eventId: `${callSid}:${status}`, eventType: status, call: undefined };
  if (status !== 'completed') return event;
  const durationText = one('CallDuration');
  if (!durationText || !/^\d+$/.test(durationText))
    throw malformed('CallDuration must be a whole number of seconds on a completed call');
  const stamp = one('Timestamp');
  const endedAt = stamp ? new Date(stamp) : now;
  if (Number.isNaN(endedAt.getTime())) throw malformed('Timestamp is not a date');
  // The AiSyst number of the call: the one called (inbound) or the caller id we dialled from (outbound-*).
  const ours = one('Direction') === 'inbound' ? one('To') : one('From');
  return {
    ...event,
    call: {
      callId: `twilio:${callSid}`,
      durationSeconds: Number(durationText),
      endedAt,
      metadataOrgId: query.get('org_id') || undefined,
      externalId: ours || undefined,
    },
  };
}

function malformed(why: string): AppError {
  return new AppError('invalid_request', `Signed, but not a Twilio voice status callback: ${why}.`);
}
