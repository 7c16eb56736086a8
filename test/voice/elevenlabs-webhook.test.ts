/**
 * ElevenLabs post-call webhooks → the ledger, through the whole app: signed as ElevenLabs signs (checked with its
 * SDK), billed once under `elevenlabs:<conversation_id>` for the organisation the call names or its agent's link.
 */
import { expect, it } from 'vitest';
import { describeEachDatabase, createUserAndOrganisation } from '../support/database.ts';
import { linkVoiceAgent } from '../../src/repositories/voice-agent-links.ts';
import { replayVoiceEvents } from '../../src/usecases/voice/replay-voice-events.ts';
import {
  ELEVENLABS_SECRET,
  elevenLabsOther,
  elevenLabsRequest,
  elevenLabsTranscription,
  ledger,
  signElevenLabs,
  subscribedOrg,
  voiceApp,
  voiceContext,
  voiceEvents,
} from './voice-fixtures.ts';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describeEachDatabase('voice-webhook/elevenlabs', (db) => {
  it('bills a transcription webhook for the org in its dynamic variables: 61 s → 2 minutes, once, also when redelivered', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const body = elevenLabsTranscription({ conversationId: 'conv_01', orgId, durationSecs: 61, endedAt: ago(5) });
    const first = await voiceApp(ctx).fetch(elevenLabsRequest(body, await signElevenLabs(body)));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      received: true,
      status: 'billed',
      duplicate: false,
      call_id: 'elevenlabs:conv_01',
    });
    const again = await voiceApp(ctx).fetch(elevenLabsRequest(body, await signElevenLabs(body)));
    expect(await again.json()).toMatchObject({ status: 'billed', duplicate: true });
    expect(await ledger(db.sql)).toEqual([{ call_id: 'elevenlabs:conv_01', org_id: orgId, billed_minutes: 2 }]);
    expect(await voiceEvents(db.sql)).toEqual([
      {
        platform: 'elevenlabs',
        event_id: 'conv_01:post_call_transcription',
        status: 'billed',
        reason: null,
        org_id: orgId,
      },
    ]);
    await ctx.settle();
  });

  it('stores the audio and failure webhooks, answers 2xx and bills nothing for them, in any order', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const audio = elevenLabsOther('post_call_audio', 'conv_02');
    const failure = elevenLabsOther('call_initiation_failure', 'conv_03');
    const transcript = elevenLabsTranscription({
      conversationId: 'conv_02',
      orgId,
      durationSecs: 120,
      endedAt: ago(3),
    });
    for (const body of [audio, transcript, failure])
      expect((await voiceApp(ctx).fetch(elevenLabsRequest(body, await signElevenLabs(body)))).status).toBe(200);
    expect((await voiceEvents(db.sql)).map((e) => [e.event_id, e.status]).sort()).toEqual([
      ['conv_02:post_call_audio', 'ignored'],
      ['conv_02:post_call_transcription', 'billed'],
      ['conv_03:call_initiation_failure', 'ignored'],
    ]);
    expect(await ledger(db.sql)).toEqual([{ call_id: 'elevenlabs:conv_02', org_id: orgId, billed_minutes: 2 }]);
    await ctx.settle();
  });

  it('refuses a bad, missing or stale (31 min) signature with 401 invalid_signature and stores nothing', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const body = elevenLabsTranscription({ conversationId: 'conv_bad', orgId, durationSecs: 60, endedAt: ago(40) });
    const forged = await signElevenLabs(body, new Date(), 'wsec_someone_else');
    const tampered = await signElevenLabs(body.replace('"call_duration_secs":60', '"call_duration_secs":6'));
    const stale = await signElevenLabs(body, ago(31));
    for (const header of [forged, tampered, stale, undefined, 'garbage']) {
      const res = await voiceApp(ctx).fetch(elevenLabsRequest(body, header));
      expect(res.status, String(header)).toBe(401);
      expect((await res.json()).error).toBe('invalid_signature');
    }
    expect(await voiceEvents(db.sql)).toEqual([]);
    expect(await ledger(db.sql)).toEqual([]);
  });

  it('an unknown agent is answered 2xx and kept unattributed; linking the agent and replaying bills it once', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const body = elevenLabsTranscription({
      conversationId: 'conv_04',
      agentId: 'agent_new',
      durationSecs: 90,
      endedAt: ago(2),
    });
    const res = await voiceApp(ctx).fetch(elevenLabsRequest(body, await signElevenLabs(body)));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'unattributed' });
    expect((await voiceEvents(db.sql))[0]!.reason).toContain('agent_new');
    await linkVoiceAgent(db.sql, { platform: 'elevenlabs', externalId: 'agent_new', orgId });
    expect((await replayVoiceEvents(ctx, {})).map((r) => r.status)).toEqual(['billed']);
    expect(await replayVoiceEvents(ctx, {})).toEqual([]);
    expect(await ledger(db.sql)).toEqual([{ call_id: 'elevenlabs:conv_04', org_id: orgId, billed_minutes: 2 }]);
    // A later call of the linked agent is billed at once.
    const next = elevenLabsTranscription({
      conversationId: 'conv_05',
      agentId: 'agent_new',
      durationSecs: 30,
      endedAt: ago(1),
    });
    expect(await (await voiceApp(ctx).fetch(elevenLabsRequest(next, await signElevenLabs(next)))).json()).toMatchObject(
      { status: 'billed' },
    );
    await ctx.settle();
  });

  it('an organisation without an active subscription: recorded unbilled as report-usage does, answered 2xx', async () => {
    const { orgId } = await createUserAndOrganisation(db.sql);
    const ctx = voiceContext(db.sql);
    const body = elevenLabsTranscription({ conversationId: 'conv_06', orgId, durationSecs: 60, endedAt: ago(2) });
    const res = await voiceApp(ctx).fetch(elevenLabsRequest(body, await signElevenLabs(body)));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'unbilled' });
    expect(await ledger(db.sql)).toEqual([{ call_id: 'elevenlabs:conv_06', org_id: orgId, billed_minutes: 1 }]);
    expect((await voiceEvents(db.sql))[0]!.reason).toMatch(/no subscription/);
  });

  it('answers 503 not_configured naming ELEVENLABS_WEBHOOK_SECRET when it is unset, storing nothing', async () => {
    const ctx = voiceContext(db.sql);
    ctx.config = { ...ctx.config, voice: { ...ctx.config.voice!, elevenlabsWebhookSecret: undefined } };
    const body = elevenLabsTranscription({ conversationId: 'conv_07', durationSecs: 60, endedAt: ago(2) });
    const res = await voiceApp(ctx).fetch(
      elevenLabsRequest(body, await signElevenLabs(body, new Date(), ELEVENLABS_SECRET)),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'not_configured', variable: 'ELEVENLABS_WEBHOOK_SECRET' });
    expect(await voiceEvents(db.sql)).toEqual([]);
  });
});
