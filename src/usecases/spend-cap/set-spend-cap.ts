/**
 * POST spend-cap (owner): set or remove the organisation's monthly overage cap (docs/http-api.md#spend-cap). The
 * organisation is resolved as every owner endpoint does (repositories/organisations.ts): another owner's answers 404,
 * before anything is written.
 */
import type { AppContext } from '../context.ts';
import { resolveOrganisation } from '../../repositories/organisations.ts';
import { setMonthlyOverageCap } from '../../repositories/spend-caps.ts';
import { deliverAlertsSoon } from '../usage-alerts/deliver-usage-alerts.ts';

export interface SetSpendCapInput {
  userId: string;
  orgId?: string | undefined;
  /** Minor units of the plan's currency; null removes the cap. */
  monthlyOverageCapCents: number | null;
}

export async function setSpendCap(
  ctx: AppContext,
  input: SetSpendCapInput,
): Promise<{ orgId: string; monthlyOverageCapCents: number | null }> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  await setMonthlyOverageCap(ctx.sql, org.id, input.monthlyOverageCapCents);
  // An alert the new cap made due right away goes out now rather than with the next report or pass.
  ctx.waitUntil(deliverAlertsSoon(ctx));
  return { orgId: org.id, monthlyOverageCapCents: input.monthlyOverageCapCents };
}
