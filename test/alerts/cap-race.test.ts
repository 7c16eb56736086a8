/**
 * The spend cap crossed by racing calls, on PostgreSQL (real concurrency; PGlite runs one transaction at a time):
 * 40 calls reported at once push an organisation past 80 %, 100 % and its cap. Every call is recorded (a cap never
 * drops a finished call), the owner gets exactly one e-mail per threshold, and entitlement refuses new calls — while
 * a call that still finishes is recorded too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import type { CaughtMail } from '../../src/adapters/mail/mail-catcher.ts';
import { reportCall, signUpWithOrganisation, startWorld, subscribe } from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';

describeOnPostgres('the spend cap crossed by racing calls, on PostgreSQL', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorld({ database: 'postgres' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('40 calls at once: all recorded, one e-mail per threshold, new calls refused, a late finisher still recorded', async () => {
    const org = await signUpWithOrganisation(stack, 'Racing Rachel');
    await subscribe(stack, org, 'Starter', 'monthly');
    expect(
      (await stack.call('spend-cap', { token: org.token, body: { monthly_overage_cap_cents: 2_000 } })).status,
    ).toBe(200);
    await reportCall(stack, org, 'warm-up', 380, '2026-11-02T09:00:00Z');

    // 40 × 5 minutes = 200 more: 580 of 500 included, 80 extra minutes = €40 ≥ the €20 cap.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reportCall(stack, org, `race-${i}`, 5, `2026-11-03T10:${String(i).padStart(2, '0')}:00Z`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));

    const [cycle] = await stack.sql.query<{ minutes_used: number; overage_cost_cents: number }>(
      'select minutes_used, overage_cost_cents from billing_cycles where org_id = $1',
      [org.orgId],
    );
    expect(Number(cycle!.minutes_used)).toBe(580);

    const entitlement = await stack.call(`entitlement?org_id=${org.orgId}`, { token: stack.serviceRoleKey });
    expect(entitlement.json).toMatchObject({ allowed: false, reason: 'spend_cap_reached', overage_cost_cents: 4_000 });

    const finished = await reportCall(stack, org, 'finished-after-the-cap', 3, '2026-11-04T10:00:00Z');
    expect(finished.status).toBe(200);
    expect(finished.json.cycle.minutes_used).toBe(583);

    const rows = await stack.sql.query<{ kind: string }>(
      'select kind from usage_alerts where org_id = $1 order by kind',
      [org.orgId],
    );
    expect(rows.map((r) => r.kind)).toEqual(['included_100', 'included_80', 'spend_cap_reached']);
    const [owner] = await stack.sql.query<{ email: string }>('select email from auth.users where id = $1', [
      org.userId,
    ]);
    const mailTo = async () =>
      ((await (await fetch(`${stack.url}/_dev/mail.json`)).json()) as { messages: CaughtMail[] }).messages
        .filter((m) => m.to.includes(owner!.email))
        .map((m) => m.subject)
        .sort();
    await expect.poll(mailTo, { timeout: 15_000 }).toHaveLength(3);
    // A further pass of the schedule sends nothing twice.
    await stack.call('deliver-alerts', { token: stack.serviceRoleKey, body: {} });
    expect(await mailTo()).toEqual([
      'Racing Rachel has used 80 % of its included minutes',
      'Racing Rachel has used all of its included minutes',
      'Racing Rachel reached its spend cap: new calls are stopped',
    ]);
  });
});
