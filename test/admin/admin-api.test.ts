/**
 * The operator console's data API (issue 12 §2): only operators (app_metadata.role = operator, granted as
 * `aisyst-billing operators add` does) get GET admin-overview and POST admin-actions; an owner of an organisation
 * and a signed-in stranger get 404, an anonymous caller 401. Every action is audited: who, when, what, outcome.
 * A failed delivery appears in the pipelines and clears with "retry now"; an event recorded but not applied
 * clears with "replay".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachDatabaseKind } from '../support/database.ts';
import { grantOperatorRole } from '../../src/repositories/operators.ts';
import { type Customer, signUpWithOrganisation, startWorld, subscribe, usageDelivered } from '../scenarios/world.ts';
import type { TestStack } from '../support/stack.ts';
import { callRefusedByStripe } from '../reconcile/support.ts';

describeOnEachDatabaseKind('the operator console API', (database) => {
  let stack: TestStack;
  let operator: { accessToken: string; userId: string; email: string };
  let owner: Customer;
  let stranger: { accessToken: string };
  beforeAll(async () => {
    stack = await startWorld({ database });
    operator = await stack.signUp();
    expect(await grantOperatorRole(stack.sql, operator.email.toUpperCase())).toBe(operator.userId);
    owner = await signUpWithOrganisation(stack, 'Plain Owner Ltd');
    stranger = await stack.signUp();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const overview = (token?: string) => stack.call('admin-overview', token ? { token } : {});
  const act = (token: string, action: unknown) => stack.call('admin-actions', { token, body: { action } });

  it('refuses everyone but operators: 404 for an owner and a stranger, 401 without a session', async () => {
    for (const token of [owner.token, stranger.accessToken]) {
      const res = await overview(token);
      expect([res.status, res.json.error]).toEqual([404, 'not_found']);
      const action = await act(token, 'reconcile');
      expect([action.status, action.json.error]).toEqual([404, 'not_found']);
    }
    expect((await overview()).status).toBe(401);
    const rows = await stack.sql.query('select 1 from operator_actions');
    expect(rows).toEqual([]);
  });

  it('answers an operator: revenue, customers, pipelines', async () => {
    await subscribe(stack, owner, 'Starter', 'monthly');
    const res = await overview(operator.accessToken);
    expect(res.status).toBe(200);
    expect(res.json.revenue.mrr).toEqual([{ currency: 'eur', cents: 20_400 }]);
    expect(res.json.revenue.months).toHaveLength(12);
    expect(res.json.customers.by_status).toMatchObject({ active: 1 });
    expect(res.json.pipelines).toMatchObject({
      usage_delivery: { pending: 0, failed: 0, oldest_pending_at: null },
      stripe_events: { unapplied: 0 },
      voice_events: { unbilled: 0 },
      reconciliation: null,
    });
  });

  it('refuses an unknown action with 400 and audits nothing', async () => {
    const res = await act(operator.accessToken, 'drop_tables');
    expect([res.status, res.json.error]).toEqual([400, 'invalid_request']);
    expect(await stack.sql.query('select 1 from operator_actions')).toEqual([]);
  });

  it('a failed delivery appears with its error and clears with "retry now", audited', async () => {
    // Stripe refused it for good (as a 4xx would): the outbox keeps the error for a person.
    await callRefusedByStripe(stack, owner, 'refused-call', 7, '2026-11-01T00:01:00Z');
    const before = (await overview(operator.accessToken)).json.pipelines.usage_delivery;
    expect(before).toMatchObject({ pending: 0, failed: 1 });
    expect(before.failures).toEqual([
      expect.objectContaining({
        call_id: 'refused-call',
        org_name: 'Plain Owner Ltd',
        error: 'StripeInvalidRequestError 400 refused',
      }),
    ]);

    const retry = await act(operator.accessToken, 'retry_deliveries');
    expect(retry.status).toBe(200);
    expect(retry.json.result).toMatchObject({ requeued_failed: 1 });
    await usageDelivered(stack);
    const after = (await overview(operator.accessToken)).json;
    expect(after.pipelines.usage_delivery).toMatchObject({ pending: 0, failed: 0 });
    expect(after.recent_actions[0]).toMatchObject({
      action: 'retry_deliveries',
      actor_email: operator.email,
      outcome: 'done',
    });
    const audit = await stack.sql.query<{ actor_user_id: string; action: string; outcome: string; finished: boolean }>(
      `select actor_user_id, action, outcome, finished_at >= requested_at as finished from operator_actions`,
    );
    expect(audit).toEqual([
      { actor_user_id: operator.userId, action: 'retry_deliveries', outcome: 'done', finished: true },
    ]);
  });

  it('a Stripe event recorded but not applied appears and clears with "replay"', async () => {
    const [event] = await stack.sql.query<{ id: string }>(
      `update stripe_events set processed_at = null
        where id = (select id from stripe_events where type = 'customer.subscription.created' limit 1) returning id`,
    );
    const before = (await overview(operator.accessToken)).json.pipelines.stripe_events;
    expect(before.unapplied).toBe(1);
    expect(before.events).toEqual([expect.objectContaining({ id: event!.id, type: 'customer.subscription.created' })]);

    const replay = await act(operator.accessToken, 'replay_stripe_events');
    expect(replay.status).toBe(200);
    expect(replay.json.result, JSON.stringify(replay.json)).toMatchObject({ applied: 1, failed: 0 });
    expect((await overview(operator.accessToken)).json.pipelines.stripe_events.unapplied).toBe(0);
  });

  it('"reconcile" runs a reconciliation and the console shows its drift', async () => {
    const res = await act(operator.accessToken, 'reconcile');
    expect(res.status).toBe(200);
    expect(res.json.result).toMatchObject({ cycles: 1, drifting: 0, unresolved: 0 });
    const { reconciliation } = (await overview(operator.accessToken)).json.pipelines;
    expect(reconciliation).toMatchObject({ run_id: res.json.result.run_id, cycles: 1, drifting: 0, drift: [] });
    const actions = await stack.sql.query<{ action: string }>(
      'select action from operator_actions order by requested_at',
    );
    expect(actions.map((a) => a.action)).toEqual(['retry_deliveries', 'replay_stripe_events', 'reconcile']);
  });
});
