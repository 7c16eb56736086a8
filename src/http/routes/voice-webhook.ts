/**
 * POST voice-webhook/<platform>: the voice platforms' call-ended webhooks (elevenlabs, twilio, livekit). Verify the
 * platform's signature over the raw body (usecases/voice/<platform>.ts), then store and bill the event
 * (receive-voice-event.ts) before answering. Every verified event answers 2xx, also one that could not be billed
 * (the platform cannot fix it; the event row keeps why); a database failure is a 5xx, so the platform retries.
 */
import { AppError } from '../../errors.ts';
import { parseElevenLabsEvent, verifyElevenLabs } from '../../usecases/voice/elevenlabs.ts';
import { parseLiveKitEvent, verifyLiveKit } from '../../usecases/voice/livekit.ts';
import { notConfigured } from '../../usecases/voice/platform-errors.ts';
import { receiveVoiceEvent } from '../../usecases/voice/receive-voice-event.ts';
import { parseTwilioEvent, parseTwilioForm, verifyTwilio } from '../../usecases/voice/twilio.ts';
import { VOICE_PLATFORMS, isVoicePlatform, type VoiceEvent } from '../../usecases/voice/voice-event.ts';
import { jsonResponse } from '../json.ts';
import type { AppContext } from '../../usecases/context.ts';
import type { Route, RouteInput } from '../route.ts';

export const VOICE_WEBHOOK = 'voice-webhook';

export const route: Route = {
  name: VOICE_WEBHOOK,
  method: 'POST',
  auth: 'platform-signature',
  subPaths: true,
  // An ElevenLabs transcript of a long call is well over the default 64 KiB.
  bodyLimitBytes: 8 * 1024 * 1024,
  async handle(input, ctx) {
    const platform = input.subPath ?? '';
    if (!isVoicePlatform(platform)) {
      throw new AppError(
        'not_found',
        `No voice platform '${platform}': POST ${VOICE_WEBHOOK}/<platform>, one of ${VOICE_PLATFORMS.join(', ')}.`,
      );
    }
    const event = await verifiedEvent(platform, input, ctx);
    const received = await receiveVoiceEvent(ctx, event);
    return jsonResponse({
      received: true,
      platform,
      event_id: event.eventId,
      status: received.status,
      duplicate: received.duplicate,
      ...(received.callId ? { call_id: received.callId } : {}),
    });
  },
};

async function verifiedEvent(
  platform: VoiceEvent['platform'],
  { request, url, rawBody }: RouteInput,
  ctx: AppContext,
): Promise<VoiceEvent> {
  const voice = ctx.config.voice;
  const now = ctx.clock.now();
  switch (platform) {
    case 'elevenlabs':
      await verifyElevenLabs(request.headers.get('elevenlabs-signature'), rawBody, voice?.elevenlabsWebhookSecret, now);
      return parseElevenLabsEvent(rawBody);
    case 'twilio': {
      if (!voice?.twilioAuthToken) throw notConfigured('TWILIO_AUTH_TOKEN', 'Twilio');
      // Twilio signs the URL it was given, which the gateway in front of the function rewrites: rebuild it.
      if (!ctx.config.publicFunctionsUrl) throw notConfigured('PUBLIC_FUNCTIONS_URL', 'Twilio');
      const signedUrl = `${ctx.config.publicFunctionsUrl}/${VOICE_WEBHOOK}/twilio${url.search}`;
      const params = parseTwilioForm(rawBody);
      await verifyTwilio(request.headers.get('x-twilio-signature'), signedUrl, params, voice.twilioAuthToken);
      return parseTwilioEvent(params, url.searchParams, now);
    }
    case 'livekit':
      await verifyLiveKit(
        request.headers.get('authorization'),
        rawBody,
        voice?.livekitApiKey,
        voice?.livekitApiSecret,
        now,
      );
      return parseLiveKitEvent(rawBody);
  }
}
