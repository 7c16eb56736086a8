/**
 * POST create-checkout-session: a Stripe Checkout Session that subscribes the user's organisation to a plan.
 * Opening a new session expires the customer's previous open ones, so at most one can be paid.
 *
 * Order matters for "nothing half-written": everything that can refuse (organisation, plan, live subscription)
 * is checked before Stripe is called; the only row written is the organisation's Stripe customer id, and only
 * once the Customer exists at Stripe.
 */
import type Stripe from 'stripe';
import { AppError } from '../errors.ts';
import type { AppContext } from '../http/route.ts';
import { resolveOrganisation, setStripeCustomerIdIfMissing, type Organisation } from '../repositories/organisations.ts';
import { findLiveSubscription } from '../repositories/subscriptions.ts';
import { loadPurchasablePlan, type PurchasablePlan } from './stripe-events/plan-prices.ts';
import { stripeUnavailable } from './usage/stripe-errors.ts';

export type BillingPeriod = 'monthly' | 'yearly';

export interface StartCheckoutInput {
  userId: string;
  planId: string;
  billingPeriod: BillingPeriod;
  orgId?: string | undefined;
}

export interface StartedCheckout {
  checkoutUrl: string;
  sessionId: string;
}

export async function startCheckout(ctx: AppContext, input: StartCheckoutInput): Promise<StartedCheckout> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  const plan = await loadPurchasablePlan(ctx.sql, input.planId);
  const live = await findLiveSubscription(ctx.sql, org.id);
  if (live) {
    throw new AppError('already_subscribed', `This organisation already has a subscription (${live.status}); change or cancel it instead.`);
  }
  const setupFeePriceId = ctx.config.stripe.setupFeePriceId;
  if (!setupFeePriceId) throw new Error('config.stripe.setupFeePriceId is not set (run `catalog sync`)');

  const customerId = await ensureCustomer(ctx, org);
  await expireOpenSessions(ctx, customerId);
  const metadata = { org_id: org.id, plan_id: plan.id, billing_period: input.billingPeriod };
  let session: Stripe.Checkout.Session;
  try {
    session = await ctx.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customerId,
      client_reference_id: org.id,
      line_items: lineItems(plan, input.billingPeriod, setupFeePriceId),
      // Session metadata is NOT copied to the subscription; the webhook handler reads the subscription's.
      subscription_data: { metadata },
      metadata,
      success_url: `${ctx.config.websiteUrl}/dashboard?payment=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${ctx.config.websiteUrl}/pricing?payment=cancelled`,
    });
  } catch (error) {
    throw stripeUnavailable(error, 'start the checkout');
  }
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return { checkoutUrl: session.url, sessionId: session.id };
}

/**
 * At most one payable session per customer: a user who opens Checkout twice (two tabs, a double click, the back
 * button) and pays both would otherwise get two subscriptions and two invoices — the already_subscribed check
 * runs only here, before any is paid. An expired session can no longer be completed
 * (docs.stripe.com/api/checkout/sessions/expire). A session completed between the list and the expire is refused
 * by Stripe (400): nothing to do then, and the webhook cancels a duplicate subscription (cancel-duplicate.ts).
 */
async function expireOpenSessions(ctx: AppContext, customerId: string): Promise<void> {
  try {
    const open = await ctx.stripe.checkout.sessions.list({ customer: customerId, status: 'open', limit: 100 });
    for (const session of open.data) {
      try {
        await ctx.stripe.checkout.sessions.expire(session.id);
      } catch (error) {
        if ((error as { type?: string }).type !== 'StripeInvalidRequestError') throw error;
      }
    }
  } catch (error) {
    throw stripeUnavailable(error, 'expire the previous checkout');
  }
}

/**
 * Monthly: flat + metered + setup fee in one session. Yearly: the yearly flat price + setup fee only; the
 * monthly metered item is added by the webhook handler, because Checkout's support for mixed intervals is not
 * documented (DESIGN.md §2, docs.stripe.com/billing/subscriptions/mixed-interval). The metered line has NO
 * quantity: usage comes from the meter, and Checkout refuses a quantity on a metered price (DESIGN.md §2).
 */
export function lineItems(plan: PurchasablePlan, period: BillingPeriod, setupFeePriceId: string): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const setupFee = { price: setupFeePriceId, quantity: 1 };
  if (period === 'yearly') return [{ price: plan.stripeYearlyPriceId, quantity: 1 }, setupFee];
  return [{ price: plan.stripePriceId, quantity: 1 }, { price: plan.stripeMeteredPriceId }, setupFee];
}

/**
 * The organisation's Customer, created at most once: Stripe replays the first answer for the same idempotency
 * key (24 h, docs.stripe.com/api/idempotent_requests), so two concurrent first checkouts get ONE customer, and
 * setStripeCustomerIdIfMissing makes the database keep one id whatever the interleaving. The params must be the
 * same on every call with that key (Stripe refuses a reused key with other params), hence no volatile fields.
 */
async function ensureCustomer(ctx: AppContext, org: Organisation): Promise<string> {
  if (org.stripeCustomerId) return org.stripeCustomerId;
  let customer: Stripe.Customer;
  try {
    customer = await ctx.stripe.customers.create(
      { name: org.name, metadata: { org_id: org.id } },
      { idempotencyKey: `customer-${org.id}` },
    );
  } catch (error) {
    throw stripeUnavailable(error, 'create the customer');
  }
  return setStripeCustomerIdIfMissing(ctx.sql, org.id, customer.id);
}
