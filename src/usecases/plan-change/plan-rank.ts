/**
 * Which way a plan change goes. An upgrade is a plan with a higher monthly price (ties: a later `sort_order`,
 * the catalog's order): it takes effect now, prorated. Anything else is a downgrade and waits for the period end,
 * because Stripe starts a swapped graduated metered price from zero: switching down and back mid-month would
 * otherwise hand out a second allowance of included minutes (issue 8, defect 10).
 */
import type { Sql } from '../../ports/sql.ts';
import { readPlanRanks } from '../../repositories/plans.ts';

type Rank = Awaited<ReturnType<typeof readPlanRanks>>[number];

export async function isUpgrade(sql: Sql, fromPlanId: string, toPlanId: string): Promise<boolean> {
  const rows = await readPlanRanks(sql, [fromPlanId, toPlanId]);
  const from = rows.find((r) => r.id === fromPlanId);
  const to = rows.find((r) => r.id === toPlanId);
  if (!from || !to) return true; // an unknown current plan: switch now, as before this policy
  const key = (r: Rank) => [r.monthlyPriceCents, r.sortOrder] as const;
  const [a, b] = [key(from), key(to)];
  return b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]);
}
