/**
 * GET billing-summary: what the dashboard shows (docs/http-api.md#billing-summary). Plan, status and usage come from
 * our ledger (live, exact); invoices from Stripe (the source of truth for money). If Stripe cannot be reached the
 * summary still answers — the ledger part is what the dashboard needs most — with `invoices: []` and
 * `invoices_unavailable: true`, so the page can say so instead of showing "no invoices".
 * After a plan change mid-period, `usage` is the part since the change and `usage_earlier_in_period` the parts
 * before it, still to be billed with the period (repositories/split-cycle.ts).
 */
import type Stripe from 'stripe';
import type { AppContext } from './context.ts';
import { findEarlierPartsOfPeriod, type CycleRow } from '../repositories/billing-cycles.ts';
import { chooseOwnedOrganisation, findOwnedOrganisations } from '../repositories/organisations.ts';
import { findCycleShownAt, subscriptionNow } from '../repositories/subscription-clock.ts';
import { findLatestSubscription } from '../repositories/subscriptions.ts';
import { listVoiceAgentLinks } from '../repositories/voice-agent-links.ts';
import { readSpendCapState } from '../repositories/spend-caps.ts';
import { listCycleAlerts } from '../repositories/usage-alerts.ts';
import { findPlanById } from '../repositories/plans.ts';
import { describeStripeError } from './usage/stripe-errors.ts';
import { readPendingChange } from './plan-change/pending-change.ts';

/** Statuses whose subscription can have a pending plan change (others need no Stripe read for it). */
const PENDING_CHANGE_STATUSES = new Set(['active', 'trialing', 'past_due']);

const iso = (d: Date | string | null): string | null => (d == null ? null : new Date(d).toISOString());
const isoUnix = (s: number | null | undefined): string | null => (s == null ? null : new Date(s * 1000).toISOString());

export interface InvoiceSummary {
  id: string;
  number: string | null;
  status: string | null;
  total_cents: number;
  currency: string;
  period_start: string | null;
  period_end: string | null;
  hosted_invoice_url: string | null;
}

export async function getBillingSummary(ctx: AppContext, input: { userId: string; orgId?: string | undefined }) {
  // One read serves both: the organisation asked for, and the list of the caller's organisations.
  const owned = await findOwnedOrganisations(ctx.sql, input.userId);
  const org = chooseOwnedOrganisation(owned, input.orgId);
  const sub = await findLatestSubscription(ctx.sql, org.id);
  const plan = sub ? await findPlanById(ctx.sql, sub.plan_id) : undefined;
  // The cycle of Stripe's "now" for the subscription (a test clock's time in test mode), not the newest row: a call
  // ending just after the period end opens next month's cycle before this month is over (subscription-clock.ts).
  const cycle = sub
    ? await findCycleShownAt(ctx.sql, sub.id, await subscriptionNow(ctx.sql, sub.id, ctx.clock.now()))
    : undefined;
  const earlier = cycle ? await findEarlierPartsOfPeriod(ctx.sql, cycle) : [];
  const invoices = org.stripeCustomerId ? await listInvoices(ctx, org.stripeCustomerId) : [];
  const pending =
    sub && PENDING_CHANGE_STATUSES.has(sub.status) ? await readPendingChange(ctx, sub.stripe_subscription_id) : null;
  const agents = await listVoiceAgentLinks(ctx.sql, { orgId: org.id });
  const spendCap = await readSpendCapState(ctx.sql, org.id, cycle?.id ?? null);
  const alerts = cycle ? (await listCycleAlerts(ctx.sql, cycle.id)).filter((a) => a.status === 'sent') : [];

  return {
    organisation: { id: org.id, name: org.name },
    // An addition (docs/departures.md): every organisation the caller owns, for a switcher when there are several.
    organisations: owned.map((o) => ({ id: o.id, name: o.name })),
    subscription: sub
      ? {
          plan: { id: sub.plan_id, name: plan?.name ?? null },
          billing_period: sub.billing_period,
          status: sub.status,
          current_period_start: iso(sub.current_period_start),
          current_period_end: iso(sub.current_period_end),
          cancel_at_period_end: sub.cancel_at_period_end,
          cancel_at: iso(sub.cancel_at),
          // An addition (docs/departures.md): a downgrade waiting for the period end (POST change-plan),
          // until Stripe applies it.
          pending_change: pending ? { plan: pending.plan, effective_at: pending.effectiveAt.toISOString() } : null,
        }
      : null,
    usage: cycle ? usageOf(cycle) : null,
    // An addition (docs/departures.md): the parts of the current usage period a plan change closed. Their overage
    // is billed with the period (a pending invoice item until then), though `usage` counts from zero since the change.
    usage_earlier_in_period: earlier.map((part) => ({ ...usageOf(part), invoiced: part.stripe_invoice_id !== null })),
    invoices: invoices ?? [],
    ...(invoices === undefined ? { invoices_unavailable: true } : {}),
    // An addition (docs/departures.md): the voice platform agents an operator linked to this organisation
    // (`aisyst-billing voice-agents link`), whose calls it pays; absent when there are none.
    // Additions (issue 11 §2–3), absent when there is nothing to say (as voice_agents): the monthly overage cap with
    // how much of it the shown cycle used and whether it is reached (entitlement then refuses new calls), and the
    // usage alerts e-mailed for that cycle.
    ...(spendCap.capCents !== null
      ? {
          spend_cap: {
            monthly_overage_cap_cents: spendCap.capCents,
            used_cents: cycle ? Number(cycle.overage_cost_cents) : 0,
            currency: cycle?.currency ?? plan?.currency ?? 'eur',
            reached: spendCap.reached,
          },
        }
      : {}),
    ...(alerts.length > 0
      ? { usage_alerts: alerts.map((a) => ({ kind: a.kind, sent_at: a.sentAt?.toISOString() ?? null })) }
      : {}),
    ...(agents.length > 0
      ? { voice_agents: agents.map((a) => ({ platform: a.platform, external_id: a.externalId })) }
      : {}),
  };
}

const usageOf = (cycle: CycleRow) => ({
  period_start: iso(cycle.period_start),
  period_end: iso(cycle.period_end),
  minutes_used: Number(cycle.minutes_used),
  included_minutes: Number(cycle.included_minutes),
  overage_minutes: Number(cycle.overage_minutes),
  overage_cost_cents: Number(cycle.overage_cost_cents),
  currency: cycle.currency,
});

/** The customer's last 12 invoices, newest first; undefined when Stripe cannot be asked. */
async function listInvoices(ctx: AppContext, customer: string): Promise<InvoiceSummary[] | undefined> {
  try {
    const page = await ctx.stripe.invoices.list({ customer, limit: 12 });
    return page.data.map(toSummary);
  } catch (error) {
    ctx.logger.warn('invoices unavailable for billing summary', { error: describeStripeError(error) });
    return undefined;
  }
}

const toSummary = (inv: Stripe.Invoice): InvoiceSummary => ({
  id: inv.id!,
  number: inv.number,
  status: inv.status,
  total_cents: inv.total,
  currency: inv.currency,
  period_start: isoUnix(inv.period_start),
  period_end: isoUnix(inv.period_end),
  hosted_invoice_url: inv.hosted_invoice_url ?? null,
});
