/** What the delivery tests share: subscribed organisations, calls, and the outbox as the deliverer left it. */
import type { Sql } from '../../src/ports/sql.ts';
import { recordUsage } from '../../src/repositories/usage-ledger.ts';
import { addBillingCycle, createSubscriptionWithCycle, createUserAndOrganisation } from '../support/database.ts';

export const NOVEMBER = { periodStart: new Date('2026-11-01T00:00:00Z'), periodEnd: new Date('2026-12-01T00:00:00Z') };

export async function subscribedOrg(sql: Sql, customer: string) {
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: customer });
  const { subscriptionId } = await createSubscriptionWithCycle(sql, { orgId, stripeCustomerId: customer, ...NOVEMBER });
  return { orgId, subscriptionId };
}

/** The period after NOVEMBER for an organisation of `subscribedOrg`: calls around midnight fall in two cycles. */
export const addDecemberCycle = (sql: Sql, org: { orgId: string; subscriptionId: string }) =>
  addBillingCycle(sql, {
    subscriptionId: org.subscriptionId,
    orgId: org.orgId,
    periodStart: new Date('2026-12-01T00:00:00Z'),
    periodEnd: new Date('2027-01-01T00:00:00Z'),
    includedMinutes: 500,
    overageRateCents: 30,
  });

/**
 * Two customers at November's end, December open for the first: its calls `<customer>-nov` (3 minutes, 23:59) and
 * `<customer>-dec` (4 minutes, 00:00:30) fall in two billing periods; the second's `<customer>-nov` (7 minutes) in one.
 */
export async function callsAroundMidnight(sql: Sql, customers: [string, string]) {
  const a = await subscribedOrg(sql, customers[0]);
  const b = await subscribedOrg(sql, customers[1]);
  await addDecemberCycle(sql, a);
  await record(sql, a.orgId, `${customers[0]}-nov`, 3, '2026-11-30T23:59:00Z');
  await record(sql, a.orgId, `${customers[0]}-dec`, 4, '2026-12-01T00:00:30Z');
  await record(sql, b.orgId, `${customers[1]}-nov`, 7, '2026-11-30T23:58:00Z');
  return { a, b };
}

export const record = (sql: Sql, orgId: string, callId: string, minutes: number, endedAt = '2026-11-10T10:00:00Z') =>
  recordUsage(sql, {
    orgId,
    callId,
    durationSeconds: String(minutes * 60),
    billedMinutes: minutes,
    endedAt: new Date(endedAt),
  });

export const makeDue = (sql: Sql) =>
  sql.query(
    `update usage_records set stripe_next_attempt_at = now() - interval '1 second' where stripe_status = 'pending'`,
  );

export interface OutboxState {
  call_id: string;
  stripe_status: string;
  stripe_batch_id: string | null;
  stripe_stream_request_id: string | null;
  billed_minutes: number;
  customer: string;
}

export const outbox = (sql: Sql) =>
  sql.query<OutboxState>(
    `select call_id, stripe_status, stripe_batch_id, stripe_stream_request_id, billed_minutes,
            stripe_customer_id as customer
       from usage_records order by call_id`,
  );

/** The ledger's minutes per customer: what the meter must bill. */
export async function ledger(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql.query<{ customer: string; minutes: number }>(
    `select stripe_customer_id as customer, sum(billed_minutes)::int as minutes from usage_records group by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.customer, r.minutes]));
}
