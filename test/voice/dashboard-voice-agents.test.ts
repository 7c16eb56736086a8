/** The dashboard lists the voice agents linked to the organisation (billing-summary's voice_agents), and nothing when none. */
import { expect, it } from 'vitest';
import { describeWithBrowser } from '../web/support/browser.ts';
import { PLANS, mockFunctions, signInAs, summary } from '../web/support/mock-api.ts';
import { servedPages } from '../web/support/served-pages.ts';

const pages = servedPages();

describeWithBrowser('dashboard: linked voice agents', (browser) => {
  async function dashboard(body: unknown) {
    const context = await pages.newContext(browser());
    await mockFunctions(context, { plans: { body: { plans: PLANS } }, 'billing-summary': { body } });
    await signInAs(context);
    const page = await context.newPage();
    await page.goto(`${pages.url}/dashboard`);
    await page.locator('.org-id').waitFor();
    return page;
  }

  it('lists each linked agent by platform', async () => {
    const page = await dashboard({
      ...summary(),
      voice_agents: [
        { platform: 'elevenlabs', external_id: 'agent_7101' },
        { platform: 'twilio', external_id: '+4930111111' },
        { platform: 'livekit', external_id: 'acme-' },
      ],
    });
    const card = page.locator('.voice-agents');
    expect(await card.textContent()).toContain('Voice agents billed to this organisation');
    expect(await card.locator('li').allInnerTexts()).toEqual([
      'ElevenLabs agent agent_7101',
      'Twilio phone number +4930111111',
      'LiveKit rooms named acme-…',
    ]);
  });

  it('shows nothing when no agent is linked', async () => {
    const page = await dashboard(summary());
    expect(await page.locator('.voice-agents').count()).toBe(0);
  });
});
