/**
 * Paging the call log while calls keep arriving (PostgreSQL only: PGlite runs one transaction at a time). Keyset
 * pages on (ended_at, id) never repeat a call and never skip one that existed when paging began, whatever lands
 * before, between or after the pages meanwhile — which offset paging cannot promise.
 */
import { expect, it } from 'vitest';
import { testContext } from '../support/billing-fixtures.ts';
import { createSubscriptionWithCycle, createUserAndOrganisation, describePostgresOnly } from '../support/database.ts';
import { allPages, recordCall } from './support.ts';

describePostgresOnly('usage-records pages under concurrent inserts', (db) => {
  it('list every call that existed before paging exactly once, while other calls are recorded in parallel', async () => {
    const { userId, orgId } = await createUserAndOrganisation(db.sql, { orgName: 'Busy' });
    await createSubscriptionWithCycle(db.sql, {
      orgId,
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
    });
    const minute = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 97_000).toISOString();
    for (let i = 0; i < 150; i++)
      await recordCall(db.sql, orgId, { callId: `before-${i}`, seconds: 60, endedAt: minute(i * 2) });

    const writer = await db.connect({ max: 4 });
    let paging = true;
    let inserted = 0;
    let firstInsert!: () => void;
    const started = new Promise<void>((resolve) => {
      firstInsert = resolve;
    });
    // Four at a time until paging is done: late calls (older than the page being read), new ones, and same-minute twins.
    const writing = (async () => {
      for (let round = 0; paging && round < 500; round++) {
        await Promise.all(
          [0, 1, 2, 3].map((k) =>
            recordCall(writer, orgId, {
              callId: `during-${round}-${k}`,
              seconds: 30,
              endedAt: minute((round * 7 + k * 53) % 400),
            }),
          ),
        );
        inserted += 4;
        firstInsert();
      }
    })();
    await started;
    const { calls } = await allPages(testContext(db.sql, {}), userId, '?limit=7');
    paging = false;
    await writing;
    await writer.close();

    const ids = calls.map((c) => c.call_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 0; i < 150; i++) expect(ids).toContain(`before-${i}`);
    const times = calls.map((c) => Date.parse(c.ended_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The race happened: calls were recorded while the pages were read, and some of them were listed.
    expect(inserted).toBeGreaterThan(0);
    expect(ids.some((id) => id.startsWith('during-'))).toBe(true);
  });
});
