/**
 * POST change-plan {plan_id, org_id?} → {plan_id, billing_period, changed, effective_at, pending_change}: switch
 * plans, same period (docs/http-api.md#change-plan). Upgrades now (`effective_at: null`), downgrades at the period end;
 * the plan the subscription has cancels a pending downgrade. `preview: true` changes nothing and answers
 * {plan_id, preview, effective_at, due_now_cents, currency, next_invoice: {total_cents, date, proration_cents} | null}.
 */
import { z } from 'zod';
import { changePlan } from '../../usecases/change-plan.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { parseInput } from '../validate.ts';

const Body = z.object({
  plan_id: z.guid('must be a plan id (uuid)'),
  org_id: z.guid('must be an organisation id (uuid)').optional(),
  preview: z.boolean('must be true or false').optional(),
});

export const route: Route = {
  name: 'change-plan',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const body = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('change-plan: route requires a user caller');
    const input = { userId: caller.userId, planId: body.plan_id, orgId: body.org_id };
    if (body.preview) {
      const p = await changePlan(ctx, { ...input, preview: true });
      return jsonResponse({
        plan_id: body.plan_id,
        preview: true,
        effective_at: p.effectiveAt?.toISOString() ?? null,
        due_now_cents: p.dueNowCents,
        currency: p.currency,
        next_invoice: p.nextInvoice
          ? {
              total_cents: p.nextInvoice.totalCents,
              date: p.nextInvoice.at.toISOString(),
              proration_cents: p.nextInvoice.prorationCents,
            }
          : null,
      });
    }
    const changed = await changePlan(ctx, { ...input, preview: false });
    const pending = changed.pendingChange;
    return jsonResponse({
      plan_id: changed.planId,
      billing_period: changed.billingPeriod,
      changed: changed.changed,
      effective_at: changed.effectiveAt?.toISOString() ?? null,
      pending_change: pending ? { plan: pending.plan, effective_at: pending.effectiveAt.toISOString() } : null,
    });
  },
};
