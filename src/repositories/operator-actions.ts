/** `operator_actions`: the audit of what operators started from the console (who, when, what, how it ended). */
import type { Sql } from '../ports/sql.ts';

export type OperatorActionName = 'retry_deliveries' | 'replay_stripe_events' | 'reconcile';

export async function recordOperatorAction(
  sql: Sql,
  a: { actorUserId: string; actorEmail: string | undefined; action: OperatorActionName },
): Promise<string> {
  const rows = await sql.query<{ id: string }>(
    `insert into operator_actions (actor_user_id, actor_email, action) values ($1, $2, $3) returning id`,
    [a.actorUserId, a.actorEmail ?? null, a.action],
  );
  return rows[0]!.id;
}

export async function finishOperatorAction(
  sql: Sql,
  id: string,
  outcome: 'done' | 'failed',
  result: Record<string, unknown>,
): Promise<void> {
  await sql.query(
    `update operator_actions set finished_at = now(), outcome = $2, result = $3::jsonb where id = $1 and finished_at is null`,
    [id, outcome, JSON.stringify(result)],
  );
}

export interface OperatorActionRow {
  id: string;
  actor_email: string | null;
  action: OperatorActionName;
  requested_at: Date;
  outcome: 'done' | 'failed' | null;
}

export async function listRecentOperatorActions(sql: Sql, limit: number): Promise<OperatorActionRow[]> {
  const rows = await sql.query<OperatorActionRow>(
    `select id, actor_email, action, requested_at, outcome from operator_actions order by requested_at desc, id limit $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, requested_at: new Date(r.requested_at) }));
}
