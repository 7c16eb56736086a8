/**
 * The voice platforms' secrets `npm start` uses when none is set (never with a live Stripe key, never deployed):
 * public constants, like Supabase's local demo keys, so a local agent or curl can sign test webhooks. Printed
 * in the start banner; .env.example spells them out.
 */
import type { Config } from '../../config/types.ts';

export const LOCAL_DEMO_VOICE_SECRETS = {
  elevenlabsWebhookSecret: 'wsec_local_demo_elevenlabs_secret',
  twilioAuthToken: 'local_demo_twilio_auth_token',
  livekitApiKey: 'APIlocaldemo',
  livekitApiSecret: 'local-demo-livekit-api-secret-of-32-chars',
} as const;

/** The local stack's voice settings: the operator's where set, else the demo secrets; Twilio's URL is the stack's own. */
export function localVoiceConfig(config: Config, functionsUrl: string): Pick<Config, 'voice' | 'publicFunctionsUrl'> {
  const set = config.voice;
  const demo = config.stripe.mode !== 'live';
  const pick = <K extends keyof typeof LOCAL_DEMO_VOICE_SECRETS>(k: K) =>
    set?.[k] ?? (demo ? LOCAL_DEMO_VOICE_SECRETS[k] : undefined);
  return {
    voice: {
      elevenlabsWebhookSecret: pick('elevenlabsWebhookSecret'),
      twilioAuthToken: pick('twilioAuthToken'),
      livekitApiKey: pick('livekitApiKey'),
      livekitApiSecret: pick('livekitApiSecret'),
    },
    publicFunctionsUrl: config.publicFunctionsUrl ?? functionsUrl,
  };
}
