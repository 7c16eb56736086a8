/**
 * Which organisation and cycle a call-log request is about. The organisation as every owner endpoint resolves it
 * (resolveOrganisation: someone else's is 404 `organisation_not_found`, like one that does not exist). The cycle:
 * `current` is the one billing-summary shows (the cycle containing Stripe's "now" for the subscription,
 * repositories/subscription-clock.ts), so the log and the summary always speak of the same month; an id must name
 * one of the organisation's cycles, else 400 `invalid_request` (`field: "cycle"`). A cursor carries its own cycle,
 * so a renewal between two pages of `current` does not splice two months together.
 */
import { AppError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import { type CycleOfOrganisation, findCycleOfOrganisation } from '../../repositories/call-log.ts';
import { type Organisation, resolveOrganisation } from '../../repositories/organisations.ts';
import { findCycleShownAt, subscriptionNow } from '../../repositories/subscription-clock.ts';
import { findLatestSubscription } from '../../repositories/subscriptions.ts';
import { badCursor, type PageCursor } from './page-cursor.ts';

export type CycleChoice = 'current' | { id: string };

export interface CallLogScope {
  userId: string;
  orgId?: string | undefined;
  cycle: CycleChoice;
}

export async function chooseCycle(
  ctx: AppContext,
  scope: CallLogScope,
  cursor?: PageCursor,
): Promise<{ organisation: Organisation; cycle: CycleOfOrganisation | undefined }> {
  const organisation = await resolveOrganisation(ctx.sql, scope.userId, scope.orgId);
  if (cursor) {
    if (scope.cycle !== 'current' && scope.cycle.id !== cursor.cycleId) {
      throw badCursor('cursor: it pages another cycle than the one asked for (start again without one).');
    }
    const cycle = await findCycleOfOrganisation(ctx.sql, organisation.id, cursor.cycleId);
    if (!cycle) throw badCursor();
    return { organisation, cycle };
  }
  if (scope.cycle !== 'current') {
    const cycle = await findCycleOfOrganisation(ctx.sql, organisation.id, scope.cycle.id);
    if (!cycle) {
      throw new AppError('invalid_request', 'cycle: no billing cycle with this id belongs to the organisation.', {
        field: 'cycle',
      });
    }
    return { organisation, cycle };
  }
  return { organisation, cycle: await currentCycle(ctx, organisation.id) };
}

async function currentCycle(ctx: AppContext, orgId: string): Promise<CycleOfOrganisation | undefined> {
  const sub = await findLatestSubscription(ctx.sql, orgId);
  if (!sub) return undefined;
  const row = await findCycleShownAt(ctx.sql, sub.id, await subscriptionNow(ctx.sql, sub.id, ctx.clock.now()));
  if (!row) return undefined;
  return {
    id: row.id,
    period_start: new Date(row.period_start),
    period_end: new Date(row.period_end),
    status: row.status,
    included_minutes: Number(row.included_minutes),
    minutes_used: Number(row.minutes_used),
    currency: row.currency,
  };
}

/** The cycle as the call log's answers show it. */
export const cycleView = (cycle: CycleOfOrganisation) => ({
  id: cycle.id,
  period_start: cycle.period_start.toISOString(),
  period_end: cycle.period_end.toISOString(),
  status: cycle.status,
  included_minutes: cycle.included_minutes,
  minutes_used: cycle.minutes_used,
  currency: cycle.currency,
});
