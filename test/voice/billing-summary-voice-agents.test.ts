/** billing-summary names the voice agents linked to the organisation (the dashboard lists them), and only its own. */
import { expect, it } from 'vitest';
import { route } from '../../src/http/routes/billing-summary.ts';
import { linkVoiceAgent } from '../../src/repositories/voice-agent-links.ts';
import { testContext } from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';
import { handleRoute } from '../support/handle-route.ts';

describeEachDatabase('billing-summary voice_agents', (db) => {
  it('lists the linked agents of this organisation only, and has no field when none is linked', async () => {
    const mine = await createUserAndOrganisation(db.sql);
    const other = await createUserAndOrganisation(db.sql);
    const ctx = testContext(db.sql, {});
    const ask = async (userId: string) =>
      (await handleRoute(route, ctx, { caller: { kind: 'user', userId, email: undefined } })).body;
    expect(await ask(mine.userId)).not.toHaveProperty('voice_agents');
    await linkVoiceAgent(db.sql, { platform: 'twilio', externalId: '+4930111111', orgId: mine.orgId });
    await linkVoiceAgent(db.sql, { platform: 'elevenlabs', externalId: 'agent_mine', orgId: mine.orgId });
    await linkVoiceAgent(db.sql, { platform: 'elevenlabs', externalId: 'agent_theirs', orgId: other.orgId });
    expect((await ask(mine.userId)).voice_agents).toEqual([
      { platform: 'elevenlabs', external_id: 'agent_mine' },
      { platform: 'twilio', external_id: '+4930111111' },
    ]);
  });
});
