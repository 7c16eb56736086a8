/**
 * Nothing twice under concurrency (PostgreSQL: PGlite runs one transaction at a time): the same platform event
 * delivered 10 times at once, and a replay racing the deliveries, make one voice event and one ledger row.
 */
import { expect, it } from 'vitest';
import { replayVoiceEvents } from '../../src/usecases/voice/replay-voice-events.ts';
import { describePostgresOnly } from '../support/database.ts';
import {
  elevenLabsRequest,
  elevenLabsTranscription,
  ledger,
  liveKitRequest,
  liveKitRoomFinished,
  signElevenLabs,
  subscribedOrg,
  twilioRequest,
  twilioStatus,
  voiceApp,
  voiceContext,
  voiceEvents,
} from './voice-fixtures.ts';

describePostgresOnly('voice-webhook races', (db) => {
  it('the same event of each platform delivered 10x in parallel (with replays) is one event and one ledger row each', async () => {
    const orgId = await subscribedOrg(db.sql);
    const pool = await db.connect({ max: 10 });
    const ctx = voiceContext(pool);
    const app = voiceApp(ctx);
    const transcript = elevenLabsTranscription({
      conversationId: 'conv_race',
      orgId,
      durationSecs: 61,
      endedAt: new Date(Date.now() - 60_000),
    });
    const header = await signElevenLabs(transcript);
    const twilioParams = twilioStatus({ callSid: 'CArace', status: 'completed', duration: 61 });
    const room = liveKitRoomFinished({
      id: 'EV_race',
      roomSid: 'RM_race',
      orgId,
      created: new Date(Date.now() - 121_000),
      finished: new Date(Date.now() - 60_000),
    });
    const requests = async () => [
      elevenLabsRequest(transcript, header),
      twilioRequest(twilioParams, `?org_id=${orgId}`),
      await liveKitRequest(room),
    ];
    const batches = await Promise.all(Array.from({ length: 10 }, requests));
    const responses = await Promise.all([
      ...batches.flat().map((r) => app.fetch(r)),
      replayVoiceEvents(ctx, {}),
      replayVoiceEvents(ctx, {}),
    ]);
    for (const res of responses.slice(0, 30) as Response[]) expect(res.status).toBe(200);
    expect(await ledger(db.sql)).toEqual([
      { call_id: 'elevenlabs:conv_race', org_id: orgId, billed_minutes: 2 },
      { call_id: 'livekit:RM_race', org_id: orgId, billed_minutes: 2 },
      { call_id: 'twilio:CArace', org_id: orgId, billed_minutes: 2 },
    ]);
    expect((await voiceEvents(db.sql)).map((e) => e.status)).toEqual(['billed', 'billed', 'billed']);
    const [cycle] = await db.sql.query<{ minutes: number }>(
      `select sum(minutes_used)::int as minutes from billing_cycles where org_id = $1`,
      [orgId],
    );
    expect(cycle?.minutes).toBe(6);
    await ctx.settle();
    await pool.close();
  });
});
