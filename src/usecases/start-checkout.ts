/**
 * POST create-checkout-session: a Stripe Checkout Session that subscribes the user's organisation to a plan.
 * At most one session of an organisation can be paid at any moment, whatever the concurrency
 * (checkout/one-open-session.ts): a repeat for the same plan and period answers the same open session; one for
 * another plan or period expires the old session before the new one exists.
 *
 * Order matters for "nothing half-written": everything that can refuse (organisation, plan, live subscription)
 * is checked before Stripe is called; the rows written are the organisation's Stripe customer (id and e-mail),
 * only once the Customer exists at Stripe, and the session handed out.
 */
import type Stripe from 'stripe';
import type { AppContext } from './context.ts';
import { resolveOrganisation } from '../repositories/organisations.ts';
import { findLiveSubscription } from '../repositories/subscriptions.ts';
import { AppError } from '../errors.ts';
import { ensureBillingCustomer } from './checkout/billing-customer.ts';
import { oneOpenCheckoutSession } from './checkout/one-open-session.ts';
import { purchaseTerms } from './checkout/purchase-terms.ts';
import { loadPurchasablePlan, type PurchasablePlan } from './checkout/purchasable-plan.ts';

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
    throw new AppError(
      'already_subscribed',
      `This organisation already has a subscription (${live.status}); change or cancel it instead.`,
    );
  }
  const setupFeePriceId = ctx.config.stripe.setupFeePriceId;
  if (!setupFeePriceId) throw new Error('config.stripe.setupFeePriceId is not set (run `catalog sync`)');

  const customerId = await ensureBillingCustomer(ctx, org);
  const metadata = { org_id: org.id, plan_id: plan.id, billing_period: input.billingPeriod };
  const session = await oneOpenCheckoutSession(ctx, {
    orgId: org.id,
    customerId,
    planId: plan.id,
    billingPeriod: input.billingPeriod,
    params: {
      mode: 'subscription',
      customer: customerId,
      client_reference_id: org.id,
      ...(await purchaseTerms(
        ctx.sql,
        org.id,
        plan,
        input.billingPeriod,
        lineItems(plan, input.billingPeriod, setupFeePriceId),
        setupFeePriceId,
      )),
      // Session metadata is NOT copied to the subscription; the webhook handler reads the subscription's.
      subscription_data: { metadata },
      metadata,
      success_url: `${ctx.config.websiteUrl}/dashboard?payment=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${ctx.config.websiteUrl}/pricing?payment=cancelled`,
    },
  });
  return { checkoutUrl: session.url!, sessionId: session.id };
}

/**
 * Monthly: flat + metered + setup fee in one session. Yearly: the yearly flat price + setup fee only; the
 * monthly metered item is added by the webhook handler, because Checkout's support for mixed intervals is not
 * documented (docs/design.md#checkout, docs.stripe.com/billing/subscriptions/mixed-interval). The metered line has NO
 * quantity: usage comes from the meter, and Checkout refuses a quantity on a metered price (docs/design.md#checkout).
 */
export function lineItems(
  plan: PurchasablePlan,
  period: BillingPeriod,
  setupFeePriceId: string,
): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const setupFee = { price: setupFeePriceId, quantity: 1 };
  if (period === 'yearly') return [{ price: plan.stripeYearlyPriceId, quantity: 1 }, setupFee];
  return [{ price: plan.stripePriceId, quantity: 1 }, { price: plan.stripeMeteredPriceId }, setupFee];
}
