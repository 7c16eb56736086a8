/**
 * An organisation's monthly overage cap (organisations.monthly_overage_cap_cents, null = no cap;
 * supabase/migrations/20261201000800_entitlement_and_spend_caps.sql).
 */
import type { Sql } from '../ports/sql.ts';

/**
 * Sets (or, with null, removes) the cap. In the same transaction, a cap the current cycle has already reached queues
 * its alert (the trigger of 20261201000900_usage_alerts.sql fires only when minutes move): ON CONFLICT DO NOTHING
 * keeps it one e-mail per cycle, whoever queues it first.
 */
export async function setMonthlyOverageCap(sql: Sql, orgId: string, capCents: number | null): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query('update public.organisations set monthly_overage_cap_cents = $2, updated_at = now() where id = $1', [
      orgId,
      capCents,
    ]);
    await tx.query(
      `insert into public.usage_alerts (billing_cycle_id, org_id, kind)
       select c.id, c.org_id, 'spend_cap_reached' from public.billing_cycles c
        where c.org_id = $1 and c.status = 'active'
          and public.spend_cap_reached(c.minutes_used, c.included_minutes, c.overage_cost_cents, $2::bigint)
       on conflict (billing_cycle_id, kind) do nothing`,
      [orgId, capCents],
    );
  });
}

export async function findMonthlyOverageCap(sql: Sql, orgId: string): Promise<number | null> {
  const rows = await sql.query<{ cap: number | string | null }>(
    'select monthly_overage_cap_cents as cap from public.organisations where id = $1',
    [orgId],
  );
  const cap = rows[0]?.cap;
  return cap == null ? null : Number(cap);
}

/** The organisation's cap and whether `cycleId`'s overage reached it (the rule of spend_cap_reached, in SQL). */
export async function readSpendCapState(
  sql: Sql,
  orgId: string,
  cycleId: string | null,
): Promise<{ capCents: number | null; reached: boolean }> {
  const rows = await sql.query<{ cap: number | string | null; reached: boolean | null }>(
    `select o.monthly_overage_cap_cents as cap,
            (select public.spend_cap_reached(c.minutes_used, c.included_minutes, c.overage_cost_cents,
                                             o.monthly_overage_cap_cents)
               from public.billing_cycles c where c.id = $2) as reached
       from public.organisations o where o.id = $1`,
    [orgId, cycleId],
  );
  const row = rows[0];
  return { capCents: row?.cap == null ? null : Number(row.cap), reached: row?.reached === true };
}
