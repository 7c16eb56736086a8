/**
 * From a Stripe Subscription (re-read, items expanded) to what we store: which organisation, which plan, which
 * billing period, and which items carry the flat fee and the metered usage. Since API 2025-03-31.basil the
 * periods live on the ITEMS (docs/design.md#billing-cycles-and-periods): the flat item's period is the subscription's,
 * the metered item's period is the usage cycle (monthly, also on yearly plans).
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import { findOrganisationById, findOrganisationByStripeCustomerId } from '../../repositories/organisations.ts';
import { findPlanById, findPlanByPriceIds, type PlanTerms } from '../../repositories/plans.ts';

export interface MappedSubscription {
  orgId: string;
  plan: PlanTerms;
  billingPeriod: 'monthly' | 'yearly';
  customerId: string;
  flatItem: Stripe.SubscriptionItem;
  meteredItem: Stripe.SubscriptionItem | undefined;
}

export const idOf = (ref: string | { id: string } | null | undefined): string | undefined =>
  ref == null ? undefined : typeof ref === 'string' ? ref : ref.id;

const isMetered = (item: Stripe.SubscriptionItem) => item.price.recurring?.usage_type === 'metered';

/** Undefined when the subscription is not one of ours (no organisation or plan can be found for it). */
export async function mapSubscription(
  ctx: AppContext,
  sub: Stripe.Subscription,
): Promise<MappedSubscription | undefined> {
  const customerId = idOf(sub.customer)!;
  const items = sub.items.data;
  const plan =
    (await findPlanByPriceIds(
      ctx.sql,
      items.map((i) => i.price.id),
    )) ?? (sub.metadata.plan_id ? await findPlanById(ctx.sql, sub.metadata.plan_id) : undefined);
  const orgId = await findOrgId(ctx, sub.metadata.org_id, customerId);
  if (!plan || !orgId) return undefined;

  const flatItem =
    items.find((i) => i.price.id === plan.stripePriceId || i.price.id === plan.stripeYearlyPriceId) ??
    items.find((i) => !isMetered(i));
  if (!flatItem) return undefined;
  const billingPeriod: 'monthly' | 'yearly' =
    flatItem.price.id === plan.stripeYearlyPriceId || flatItem.price.recurring?.interval === 'year'
      ? 'yearly'
      : 'monthly';
  const meteredItem = items.find((i) => i.price.id === plan.stripeMeteredPriceId) ?? items.find(isMetered);
  return { orgId, plan, billingPeriod, customerId, flatItem, meteredItem };
}

/**
 * The subscription's metadata (set by our Checkout), else the organisation that holds this customer, else the
 * Customer's own metadata (set when we created it) — a subscription made by hand in the Dashboard still maps.
 */
async function findOrgId(
  ctx: AppContext,
  metadataOrgId: string | undefined,
  customerId: string,
): Promise<string | undefined> {
  if (metadataOrgId && (await findOrganisationById(ctx.sql, metadataOrgId))) return metadataOrgId;
  const byCustomer = await findOrganisationByStripeCustomerId(ctx.sql, customerId);
  if (byCustomer) return byCustomer.id;
  const customer = await ctx.stripe.customers.retrieve(customerId);
  const fromCustomer = 'deleted' in customer && customer.deleted ? undefined : customer.metadata?.org_id;
  if (fromCustomer && (await findOrganisationById(ctx.sql, fromCustomer))) return fromCustomer;
  return undefined;
}
