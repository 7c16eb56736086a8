/**
 * `npm start`'s stack serves the voice webhooks with the printed demo secrets, at its own URL: a Twilio callback
 * signed (by the twilio library) with the demo token over that URL, and a LiveKit webhook signed with the demo
 * key/secret, land in the ledger (unbilled: the organisation has no subscription yet).
 */
import { createHash } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import twilio from 'twilio';
import { expect, it } from 'vitest';
import { LOCAL_DEMO_VOICE_SECRETS as DEMO } from '../../src/usecases/voice/local-demo-secrets.ts';
import { startTestStack } from '../support/stack.ts';
import { liveKitRoomFinished, twilioStatus } from './voice-fixtures.ts';

it('the local stack bills Twilio and LiveKit webhooks signed with its demo secrets', async () => {
  const stack = await startTestStack({ deliverer: false });
  try {
    const user = await stack.signUp();
    const org = await stack.createOrganisation(user.accessToken);
    const url = `${stack.url}/functions/v1/voice-webhook/twilio?org_id=${org.id}`;
    const params = twilioStatus({ callSid: 'CAlocal', status: 'completed', duration: 61 });
    const tw = await stack.call(`voice-webhook/twilio?org_id=${org.id}`, {
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(DEMO.twilioAuthToken, url, params),
      },
    });
    expect([tw.status, tw.json.status]).toEqual([200, 'unbilled']);

    const body = liveKitRoomFinished({
      id: 'EV_local',
      roomSid: 'RM_local',
      orgId: org.id,
      created: new Date(Date.now() - 90_000),
      finished: new Date(Date.now() - 30_000),
    });
    const token = new AccessToken(DEMO.livekitApiKey, DEMO.livekitApiSecret, { ttl: '5m' });
    token.sha256 = createHash('sha256').update(body).digest('base64');
    const lk = await stack.call('voice-webhook/livekit', {
      body,
      headers: { authorization: await token.toJwt(), 'content-type': 'application/webhook+json' },
    });
    expect([lk.status, lk.json.status]).toEqual([200, 'unbilled']);

    expect(await stack.sql.query(`select call_id, billed_minutes from usage_records order by call_id`)).toEqual([
      { call_id: 'livekit:RM_local', billed_minutes: 1 },
      { call_id: 'twilio:CAlocal', billed_minutes: 2 },
    ]);
  } finally {
    await stack.close();
  }
}, 300_000);
