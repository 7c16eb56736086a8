/**
 * LiveKit `room_finished` webhooks → the ledger: signed with livekit-server-sdk's AccessToken (sha256 claim),
 * billed once as `livekit:<room sid>` for created_at − room.creation_time, for the room metadata's org_id or the
 * organisation linked to the longest matching room-name prefix.
 */
import { expect, it } from 'vitest';
import { linkVoiceAgent } from '../../src/repositories/voice-agent-links.ts';
import { replayVoiceEvents } from '../../src/usecases/voice/replay-voice-events.ts';
import { describeEachDatabase } from '../support/database.ts';
import {
  ledger,
  liveKitEvent,
  liveKitRequest,
  liveKitRoomFinished,
  subscribedOrg,
  voiceApp,
  voiceContext,
  voiceEvents,
} from './voice-fixtures.ts';

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);

describeEachDatabase('voice-webhook/livekit', (db) => {
  it('bills room_finished for the org in the room metadata (181 s → 4 minutes); other events and redeliveries add nothing', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const finished = liveKitRoomFinished({
      id: 'EV_fin1',
      roomSid: 'RM_abc',
      orgId,
      created: ago(241),
      finished: ago(60),
    });
    for (const body of [
      liveKitEvent('participant_joined', 'EV_j1'),
      finished,
      liveKitEvent('room_started', 'EV_s1'),
      finished,
    ]) {
      expect((await voiceApp(ctx).fetch(await liveKitRequest(body))).status).toBe(200);
    }
    expect(await ledger(db.sql)).toEqual([{ call_id: 'livekit:RM_abc', org_id: orgId, billed_minutes: 4 }]);
    expect((await voiceEvents(db.sql)).map((e) => [e.event_id, e.status])).toEqual([
      ['EV_j1', 'ignored'],
      ['EV_fin1', 'billed'],
      ['EV_s1', 'ignored'],
    ]);
    await ctx.settle();
  });

  it('without metadata, the longest linked room-name prefix pays; an unlinked room waits for replay', async () => {
    const acme = await subscribedOrg(db.sql);
    const acmeSales = await subscribedOrg(db.sql);
    await linkVoiceAgent(db.sql, { platform: 'livekit', externalId: 'acme-', orgId: acme });
    await linkVoiceAgent(db.sql, { platform: 'livekit', externalId: 'acme-sales-', orgId: acmeSales });
    const ctx = voiceContext(db.sql);
    const post = async (body: string) => (await (await voiceApp(ctx).fetch(await liveKitRequest(body))).json()).status;
    expect(
      await post(
        liveKitRoomFinished({ id: 'EV_1', roomSid: 'RM_1', roomName: 'acme-42', created: ago(100), finished: ago(40) }),
      ),
    ).toBe('billed');
    expect(
      await post(
        liveKitRoomFinished({
          id: 'EV_2',
          roomSid: 'RM_2',
          roomName: 'acme-sales-7',
          created: ago(100),
          finished: ago(40),
        }),
      ),
    ).toBe('billed');
    expect(
      await post(
        liveKitRoomFinished({ id: 'EV_3', roomSid: 'RM_3', roomName: 'zeta_1', created: ago(100), finished: ago(40) }),
      ),
    ).toBe('unattributed');
    await linkVoiceAgent(db.sql, { platform: 'livekit', externalId: 'zeta_', orgId: acme });
    expect((await replayVoiceEvents(ctx, {})).map((r) => [r.callId, r.status])).toEqual([['livekit:RM_3', 'billed']]);
    expect(await ledger(db.sql)).toEqual([
      { call_id: 'livekit:RM_1', org_id: acme, billed_minutes: 1 },
      { call_id: 'livekit:RM_2', org_id: acmeSales, billed_minutes: 1 },
      { call_id: 'livekit:RM_3', org_id: acme, billed_minutes: 1 },
    ]);
    await ctx.settle();
  });

  it('refuses another secret, another key, an expired token or a body the token does not hash (401), storing nothing', async () => {
    const orgId = await subscribedOrg(db.sql);
    const ctx = voiceContext(db.sql);
    const body = liveKitRoomFinished({ id: 'EV_x', roomSid: 'RM_x', orgId, created: ago(100), finished: ago(40) });
    const signed = await liveKitRequest(body);
    const requests = [
      await liveKitRequest(body, { secret: 'another-secret-of-at-least-32-characters!!' }),
      await liveKitRequest(body, { key: 'APIother' }),
      await liveKitRequest(body, { ttl: '-1m' }),
      new Request(signed.url, { method: 'POST', headers: signed.headers, body: body.replace('RM_x', 'RM_y') }),
      new Request(signed.url, { method: 'POST', body }),
    ];
    for (const request of requests) {
      const res = await voiceApp(ctx).fetch(request);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toBe('invalid_signature');
    }
    expect(await voiceEvents(db.sql)).toEqual([]);
  });

  it('answers 503 not_configured naming LIVEKIT_API_SECRET when unset; an unknown platform is 404', async () => {
    const ctx = voiceContext(db.sql);
    ctx.config = { ...ctx.config, voice: { ...ctx.config.voice!, livekitApiSecret: undefined } };
    const res = await voiceApp(ctx).fetch(await liveKitRequest(liveKitEvent('room_started', 'EV_s')));
    expect([res.status, (await res.json()).variable]).toEqual([503, 'LIVEKIT_API_SECRET']);
    const unknown = await voiceApp(ctx).fetch(
      new Request('http://127.0.0.1:54321/functions/v1/voice-webhook/vapi', { method: 'POST', body: '{}' }),
    );
    expect([unknown.status, (await unknown.json()).error]).toEqual([404, 'not_found']);
    expect(await voiceEvents(db.sql)).toEqual([]);
  });
});
