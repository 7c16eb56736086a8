/**
 * Races on PostgreSQL (docs/conventions.md#tests): two `reconcile --repair` runs at once resend a missing call and a
 * refused one exactly once between them, and two "retry now" actions at once deliver a refused call once — the
 * meter ends equal to the ledger, never above it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnPostgres } from '../support/database.ts';
import { runOperatorAction } from '../../src/usecases/admin/run-operator-action.ts';
import { reconcileUsage } from '../../src/usecases/reconcile/reconcile-usage.ts';
import { type Customer, reportCall, signUpWithOrganisation, startWorld, subscribe } from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';
import { advanceClockTo, callMarkedSentNeverReceived, callRefusedByStripe, deliveredExcept } from './support.ts';

const SINCE = new Date('2026-10-01T00:00:00Z');

describeOnPostgres('concurrent repairs and retries [postgres]', () => {
  let stack: TestStack;
  let acme: Customer;
  const meterOf = async (c: Customer) =>
    (await reconcileUsage(stack.ctx, { since: SINCE, settleSeconds: 0 })).cycles.find((r) => r.orgId === c.orgId)!;

  beforeAll(async () => {
    stack = await startWorld({ database: 'postgres' });
    acme = await signUpWithOrganisation(stack, 'Racing Repairs Ltd');
    await subscribe(stack, acme, 'Starter', 'monthly');
    await advanceClockTo(stack, acme, '2026-11-20T00:00:00Z');
    await reportCall(stack, acme, 'race-ok', 10, '2026-11-05T10:00:00Z');
    await deliveredExcept(stack, []);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('two repairs at once: the missing and the refused call each reach Stripe once', async () => {
    await callMarkedSentNeverReceived(stack, acme, 'race-lost', 8, '2026-11-06T10:00:00Z');
    await callRefusedByStripe(stack, acme, 'race-refused', 5, '2026-11-07T10:00:00Z');
    expect(await meterOf(acme)).toMatchObject({
      ledgerMinutes: 23,
      stripeMeterMinutes: 10,
      meterDifferenceMinutes: -13,
    });

    await Promise.all([
      reconcileUsage(stack.ctx, { since: SINCE, settleSeconds: 0, repair: true }),
      reconcileUsage(stack.ctx, { since: SINCE, settleSeconds: 0, repair: true }),
    ]);

    expect(await meterOf(acme)).toMatchObject({ ledgerMinutes: 23, stripeMeterMinutes: 23, status: 'clean' });
    const [row] = await stack.sql.query<{ stripe_status: string }>(
      `select stripe_status from usage_records where call_id = 'race-refused'`,
    );
    expect(row!.stripe_status).toBe('sent');
  });

  it('two "retry now" at once: a refused call is delivered once', async () => {
    await callRefusedByStripe(stack, acme, 'race-retry', 4, '2026-11-08T10:00:00Z');
    expect(await meterOf(acme)).toMatchObject({ ledgerMinutes: 27, stripeMeterMinutes: 23 });
    const operator = { userId: '00000000-0000-4000-8000-000000000001', email: 'ops@example.com' };
    await Promise.all([
      runOperatorAction(stack.ctx, operator, 'retry_deliveries'),
      runOperatorAction(stack.ctx, operator, 'retry_deliveries'),
    ]);
    await deliveredExcept(stack, []);
    expect(await meterOf(acme)).toMatchObject({ ledgerMinutes: 27, stripeMeterMinutes: 27, status: 'clean' });
    const audit = await stack.sql.query<{ outcome: string }>(
      `select outcome from operator_actions where action = 'retry_deliveries'`,
    );
    expect(audit).toEqual([{ outcome: 'done' }, { outcome: 'done' }]);
  });
});
