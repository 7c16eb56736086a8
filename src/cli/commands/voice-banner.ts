/**
 * The start banner's voice-webhook lines: the URL per platform and its secrets. The local demo secrets are public
 * constants (local-demo-secrets.ts, .env.example) and printed whole so a test webhook can be signed; an operator's
 * own secret is shortened, as the service-role key is.
 */
import type { Config } from '../../config/types.ts';
import { LOCAL_DEMO_VOICE_SECRETS } from '../../usecases/voice/local-demo-secrets.ts';

const DEMO: readonly string[] = Object.values(LOCAL_DEMO_VOICE_SECRETS);

function show(value: string | undefined, variable: string): string {
  if (value === undefined) return `not configured (${variable})`;
  return DEMO.includes(value) ? `${value}   (local demo)` : `${value.slice(0, 4)}…${value.slice(-2)}`;
}

export function voiceBanner(config: Config): string {
  const v = config.voice;
  return `  voice webhooks    ${config.publicFunctionsUrl ?? '<PUBLIC_FUNCTIONS_URL>'}/voice-webhook/<elevenlabs|twilio|livekit>
    elevenlabs secret  ${show(v?.elevenlabsWebhookSecret, 'ELEVENLABS_WEBHOOK_SECRET')}
    twilio auth token  ${show(v?.twilioAuthToken, 'TWILIO_AUTH_TOKEN')}
    livekit key/secret ${show(v?.livekitApiKey, 'LIVEKIT_API_KEY')} / ${show(v?.livekitApiSecret, 'LIVEKIT_API_SECRET')}`;
}
