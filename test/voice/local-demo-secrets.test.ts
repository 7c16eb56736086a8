/** `npm start` serves the voice webhooks with public demo secrets where none is set — never with a live key — and prints them. */
import { describe, expect, it } from 'vitest';
import { voiceBanner } from '../../src/cli/commands/voice-banner.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { LOCAL_DEMO_VOICE_SECRETS, localVoiceConfig } from '../../src/usecases/voice/local-demo-secrets.ts';

describe("the local stack's voice settings", () => {
  it('uses the demo secrets and its own functions URL when nothing is set, and prints them whole', () => {
    const local = localVoiceConfig(parseConfig({}), 'http://127.0.0.1:54321/functions/v1');
    expect(local).toEqual({
      voice: { ...LOCAL_DEMO_VOICE_SECRETS },
      publicFunctionsUrl: 'http://127.0.0.1:54321/functions/v1',
    });
    const banner = voiceBanner({ ...parseConfig({}), ...local });
    expect(banner).toContain('http://127.0.0.1:54321/functions/v1/voice-webhook/<elevenlabs|twilio|livekit>');
    for (const secret of Object.values(LOCAL_DEMO_VOICE_SECRETS)) expect(banner).toContain(secret);
  });

  it("keeps the operator's own secrets and never prints them whole", () => {
    const config = parseConfig({
      ELEVENLABS_WEBHOOK_SECRET: 'wsec_operator_secret_value',
      PUBLIC_FUNCTIONS_URL: 'https://x.supabase.co/functions/v1',
    });
    const local = localVoiceConfig(config, 'http://127.0.0.1:1/functions/v1');
    expect(local.voice?.elevenlabsWebhookSecret).toBe('wsec_operator_secret_value');
    expect(local.publicFunctionsUrl).toBe('https://x.supabase.co/functions/v1');
    expect(voiceBanner({ ...config, ...local })).not.toContain('wsec_operator_secret_value');
  });

  it('has no demo secrets with a live Stripe key: those platforms answer not_configured', () => {
    const live = parseConfig({
      STRIPE_SECRET_KEY: 'sk_live_x',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
      SUPABASE_JWT_SECRET: 'y'.repeat(40),
    });
    expect(localVoiceConfig(live, 'http://127.0.0.1:1/functions/v1').voice).toEqual({
      elevenlabsWebhookSecret: undefined,
      twilioAuthToken: undefined,
      livekitApiKey: undefined,
      livekitApiSecret: undefined,
    });
    expect(voiceBanner(live)).toContain('not configured (TWILIO_AUTH_TOKEN)');
  });
});
