/**
 * Twilio Voice status callbacks → the ledger: signed by the twilio library over the PUBLIC URL (the request
 * arrives at another one, as behind Supabase's gateway), billed once as `twilio:<CallSid>` on `completed`.
 */
import { expect, it } from 'vitest';
import { linkVoiceAgent } from '../../src/repositories/voice-agent-links.ts';
import { replayVoiceEvents } from '../../src/usecases/voice/replay-voice-events.ts';
import { describeEachDatabase } from '../support/database.ts';
import {
  ledger,
  subscribedOrg,
  twilioRequest,
  twilioStatus,
  voiceApp,
  voiceContext,
  voiceEvents,
} from './voice-fixtures.ts';

const SID = 'CA0123456789abcdef0123456789abcdef';

describeEachDatabase('voice-webhook/twilio', (db) => {
  it('bills a completed call for the org_id of the signed callback URL; ringing/in-progress are stored and ignored, in any order', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const query = `?org_id=${orgId}`;
    const completed = twilioStatus({
      callSid: SID,
      status: 'completed',
      duration: 125,
      at: new Date(Date.now() - 60_000),
    });
    // Reordered: Twilio's callbacks may arrive out of order.
    for (const params of [
      twilioStatus({ callSid: SID, status: 'in-progress' }),
      completed,
      twilioStatus({ callSid: SID, status: 'ringing' }),
      completed,
    ]) {
      const res = await voiceApp(ctx).fetch(twilioRequest(params, query));
      expect(res.status, params.CallStatus).toBe(200);
    }
    expect(await ledger(db.sql)).toEqual([{ call_id: `twilio:${SID}`, org_id: orgId, billed_minutes: 3 }]);
    expect((await voiceEvents(db.sql)).map((e) => [e.event_id, e.status])).toEqual([
      [`${SID}:in-progress`, 'ignored'],
      [`${SID}:completed`, 'billed'],
      [`${SID}:ringing`, 'ignored'],
    ]);
    await ctx.settle();
  });

  it('finds the payer by the AiSyst number: To of an inbound call, From of an outbound one', async () => {
    const inboundOrg = await subscribedOrg(db.sql);
    const outboundOrg = await subscribedOrg(db.sql);
    await linkVoiceAgent(db.sql, { platform: 'twilio', externalId: '+4930111111', orgId: inboundOrg });
    await linkVoiceAgent(db.sql, { platform: 'twilio', externalId: '+4930222222', orgId: outboundOrg });
    const ctx = voiceContext(db.sql);
    await voiceApp(ctx).fetch(
      twilioRequest(
        twilioStatus({
          callSid: 'CAin',
          status: 'completed',
          duration: 60,
          direction: 'inbound',
          to: '+4930111111',
          from: '+4930222222',
        }),
      ),
    );
    await voiceApp(ctx).fetch(
      twilioRequest(
        twilioStatus({
          callSid: 'CAout',
          status: 'completed',
          duration: 61,
          direction: 'outbound-api',
          to: '+4930111111',
          from: '+4930222222',
        }),
      ),
    );
    expect(await ledger(db.sql)).toEqual([
      { call_id: 'twilio:CAin', org_id: inboundOrg, billed_minutes: 1 },
      { call_id: 'twilio:CAout', org_id: outboundOrg, billed_minutes: 2 },
    ]);
    await ctx.settle();
  });

  it('refuses a signature over another URL, another token or altered params (401), storing nothing', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const params = twilioStatus({ callSid: SID, status: 'completed', duration: 60 });
    const otherOrg = twilioRequest(params, `?org_id=${orgId}`);
    const moved = new Request(otherOrg.url.replace(orgId, '00000000-0000-4000-8000-000000000000'), {
      method: 'POST',
      headers: otherOrg.headers,
      body: await otherOrg.text(),
    });
    const wrongToken = twilioRequest(params, '', 'f'.repeat(32));
    const signed = twilioRequest(params);
    const altered = new Request(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body: (await signed.text()).replace('CallDuration=60', 'CallDuration=6'),
    });
    for (const request of [moved, wrongToken, altered]) {
      const res = await voiceApp(ctx).fetch(request);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toBe('invalid_signature');
    }
    expect(await voiceEvents(db.sql)).toEqual([]);
  });

  it('an unlinked number is kept unattributed (2xx); replay after linking bills it', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const res = await voiceApp(ctx).fetch(
      twilioRequest(twilioStatus({ callSid: SID, status: 'completed', duration: 30, to: '+4930999999' })),
    );
    expect(await res.json()).toMatchObject({ status: 'unattributed' });
    await linkVoiceAgent(db.sql, { platform: 'twilio', externalId: '+4930999999', orgId });
    expect((await replayVoiceEvents(ctx, {})).map((r) => r.status)).toEqual(['billed']);
    expect(await ledger(db.sql)).toEqual([{ call_id: `twilio:${SID}`, org_id: orgId, billed_minutes: 1 }]);
    await ctx.settle();
  });

  it('answers 503 not_configured naming TWILIO_AUTH_TOKEN, then PUBLIC_FUNCTIONS_URL, when unset', async () => {
    const ctx = voiceContext(db.sql);
    const config = ctx.config;
    ctx.config = { ...config, voice: { ...config.voice!, twilioAuthToken: undefined } };
    const noToken = await voiceApp(ctx).fetch(
      twilioRequest(twilioStatus({ callSid: SID, status: 'completed', duration: 30 })),
    );
    expect([noToken.status, (await noToken.json()).variable]).toEqual([503, 'TWILIO_AUTH_TOKEN']);
    const { publicFunctionsUrl: _url, ...withoutUrl } = config;
    ctx.config = withoutUrl;
    const noUrl = await voiceApp(ctx).fetch(
      twilioRequest(twilioStatus({ callSid: SID, status: 'completed', duration: 30 })),
    );
    expect([noUrl.status, (await noUrl.json()).variable]).toEqual([503, 'PUBLIC_FUNCTIONS_URL']);
    expect(await voiceEvents(db.sql)).toEqual([]);
  });
});
