/**
 * The app routes /<name>/<sub-path> only to a route that declares `subPaths` (voice-webhook/<platform>), at
 * /functions/v1/… and, deployed, at the root; every other function still answers 404 under a sub-path.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { allRoutes } from '../../src/http/routes/index.ts';
import type { Sql } from '../../src/ports/sql.ts';
import { testContext } from '../support/billing-fixtures.ts';

const noDatabase = {} as Sql;

describe('sub-path routing', () => {
  const ctx = testContext(noDatabase, {});
  it('voice-webhook/<platform> reaches the route (an unconfigured platform: 503 naming its variable), others stay 404', async () => {
    for (const serveAtRoot of [false, true]) {
      const app = createApp(ctx, allRoutes(), { serveAtRoot });
      const prefix = serveAtRoot ? 'http://f.local' : 'http://f.local/functions/v1';
      const voice = await app.fetch(new Request(`${prefix}/voice-webhook/elevenlabs`, { method: 'POST', body: '{}' }));
      expect([voice.status, (await voice.json()).variable]).toEqual([503, 'ELEVENLABS_WEBHOOK_SECRET']);
      const unknownPlatform = await app.fetch(
        new Request(`${prefix}/voice-webhook/vapi`, { method: 'POST', body: '{}' }),
      );
      expect(unknownPlatform.status).toBe(404);
      const bare = await app.fetch(new Request(`${prefix}/voice-webhook`, { method: 'POST', body: '{}' }));
      expect(bare.status).toBe(404);
      const elsewhere = await app.fetch(new Request(`${prefix}/report-usage/extra`, { method: 'POST', body: '{}' }));
      expect([elsewhere.status, (await elsewhere.json()).error]).toEqual([404, 'not_found']);
      const wrongMethod = await app.fetch(new Request(`${prefix}/voice-webhook/twilio`));
      expect(wrongMethod.status).toBe(405);
    }
  });
});
