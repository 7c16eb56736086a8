/**
 * Our three signature checks (src/usecases/voice/*.ts, written for the Edge bundle) against the platforms' official
 * libraries on the same payloads: each accepts exactly what the library accepts.
 */
import { createHash, createHmac } from 'node:crypto';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import fc from 'fast-check';
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { verifyElevenLabs } from '../../src/usecases/voice/elevenlabs.ts';
import { verifyLiveKit } from '../../src/usecases/voice/livekit.ts';
import { parseTwilioForm, twilioSignature, verifyTwilio } from '../../src/usecases/voice/twilio.ts';

const accepts = (check: () => Promise<unknown>) =>
  check().then(
    () => true,
    () => false,
  );

describe("ElevenLabs: verifyElevenLabs ≡ the SDK's webhooks.constructEvent", () => {
  const sdk = new ElevenLabsClient({ apiKey: 'unused' }).webhooks;
  it('agrees on genuine, forged, tampered and stale signatures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.constantFrom(0, 60, 25 * 60, 35 * 60, 3 * 86_400),
        fc.constantFrom('genuine', 'forged', 'tampered'),
        async (body, secret, ageSeconds, kind) => {
          const t = Math.floor(Date.now() / 1000) - ageSeconds;
          const key = kind === 'forged' ? `${secret}x` : secret;
          const header = `t=${t},v0=${createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`;
          const sent = kind === 'tampered' ? `${body} ` : body;
          const ours = await accepts(() => verifyElevenLabs(header, sent, secret, new Date()));
          expect(ours).toBe(
            await accepts(() =>
              sdk.constructEvent(sent, header, secret).catch((e: unknown) => {
                // The SDK also JSON-parses the body; only its signature verdict is compared.
                if (e instanceof SyntaxError) return undefined;
                throw e;
              }),
            ),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('Twilio: twilioSignature / verifyTwilio ≡ the twilio library', () => {
  const params = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/), fc.string({ maxLength: 20 }), {
    maxKeys: 8,
  });
  const urls = fc.constantFrom(
    'https://abc.supabase.co/functions/v1/voice-webhook/twilio',
    'https://abc.supabase.co/functions/v1/voice-webhook/twilio?org_id=5a1b7f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
    'https://abc.supabase.co:443/functions/v1/voice-webhook/twilio?a=1&b=%27x%27',
    'http://127.0.0.1:54321/functions/v1/voice-webhook/twilio',
  );
  it("computes the library's expected signature for any params and URL", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), urls, params, async (token, url, p) => {
        const form = parseTwilioForm(new URLSearchParams(p).toString());
        expect(await twilioSignature(token, url, form)).toBe(twilio.getExpectedTwilioSignature(token, url, p));
      }),
      { numRuns: 100 },
    );
  });

  it('accepts what validateRequest accepts: the same URL with or without its default port, not another token or URL', async () => {
    await fc.assert(
      fc.asyncProperty(
        urls,
        params,
        fc.constantFrom('same', 'port-toggled', 'other-token', 'other-path'),
        async (url, p, kind) => {
          const token = '0123456789abcdef0123456789abcdef';
          const header = twilio.getExpectedTwilioSignature(token, url, p);
          const checked =
            kind === 'port-toggled'
              ? url.includes(':443')
                ? url.replace(':443', '')
                : url.replace('.co/', '.co:443/')
              : kind === 'other-path'
                ? url.replace('/twilio', '/twilio2')
                : url;
          const used = kind === 'other-token' ? 'f'.repeat(32) : token;
          const ours = await accepts(() =>
            verifyTwilio(header, checked, parseTwilioForm(new URLSearchParams(p).toString()), used),
          );
          expect(ours).toBe(twilio.validateRequest(used, header, checked, p));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("LiveKit: verifyLiveKit ≡ livekit-server-sdk's WebhookReceiver", () => {
  const KEY = 'APIcrosscheck';
  const SECRET = 'crosscheck-secret-of-at-least-32-characters';
  it('agrees on genuine, foreign-key, foreign-secret, expired, garbage and body-mismatch tokens', async () => {
    const receiver = new WebhookReceiver(KEY, SECRET);
    const body = JSON.stringify({
      event: 'room_finished',
      id: 'EV_1',
      createdAt: '1764601000',
      room: { sid: 'RM_1', creationTime: '1764600000' },
    });
    const hash = createHash('sha256').update(body).digest('base64');
    const token = async (o: { key?: string; secret?: string; ttl?: string; sha?: string }) => {
      const at = new AccessToken(o.key ?? KEY, o.secret ?? SECRET, { ttl: o.ttl ?? '10m' });
      at.sha256 = o.sha ?? hash;
      return at.toJwt();
    };
    const cases = {
      genuine: await token({}),
      foreignKey: await token({ key: 'APIother' }),
      foreignSecret: await token({ secret: 'another-secret-of-at-least-32-characters' }),
      expired: await token({ ttl: '-1m' }),
      bodyMismatch: await token({ sha: createHash('sha256').update(`${body} `).digest('base64') }),
      garbage: 'not.a.jwt',
    };
    const verdicts: Record<string, [boolean, boolean]> = {};
    for (const [name, jwt] of Object.entries(cases)) {
      verdicts[name] = [
        await accepts(() => verifyLiveKit(jwt, body, KEY, SECRET, new Date())),
        await accepts(() => receiver.receive(body, jwt)),
      ];
    }
    expect(verdicts).toEqual({
      genuine: [true, true],
      foreignKey: [false, false],
      foreignSecret: [false, false],
      expired: [false, false],
      bodyMismatch: [false, false],
      garbage: [false, false],
    });
  });
});
