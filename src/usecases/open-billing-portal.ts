/**
 * POST create-portal-session: a Stripe customer portal session for the user's organisation, where its owner updates
 * the card, downloads invoices and cancels (docs.stripe.com/api/customer_portal/sessions/create). Stripe hosts all
 * of it, so no card detail passes through us; what the owner changes there reaches our rows as ordinary
 * `customer.subscription.updated` events. The session uses the configuration `doctor --fix` made
 * (portal-configuration.ts), else the account's default, which must be saved once in the Dashboard or Stripe
 * refuses the call, which we answer as `stripe_unavailable`, nothing written.
 */
import { AppError } from '../errors.ts';
import type { AppContext } from './context.ts';
import { resolveOrganisation } from '../repositories/organisations.ts';
import { syncBillingEmail } from './checkout/billing-customer.ts';
import { ourPortalConfigurationId } from './portal-configuration.ts';
import { stripeUnavailable } from './usage/stripe-errors.ts';

export async function openBillingPortal(
  ctx: AppContext,
  input: { userId: string; orgId?: string | undefined },
): Promise<{ url: string }> {
  const org = await resolveOrganisation(ctx.sql, input.userId, input.orgId);
  if (!org.stripeCustomerId) {
    throw new AppError('no_active_subscription', 'This organisation has no billing account yet: choose a plan first.');
  }
  await syncBillingEmail(ctx, org); // the owner's current e-mail on the customer (issue 8, defect 11)
  try {
    // The configuration `doctor --fix` made, when there is one (an API-made one is never the default). Not
    // finding out is no reason to fail: the session then uses the default, and Stripe says if there is none.
    const configuration = await ourPortalConfigurationId(ctx.stripe).catch(() => undefined);
    const session = await ctx.stripe.billingPortal.sessions.create({
      customer: org.stripeCustomerId,
      return_url: `${ctx.config.websiteUrl}/dashboard`,
      ...(configuration ? { configuration } : {}),
    });
    return { url: session.url };
  } catch (error) {
    throw stripeUnavailable(error, 'open the billing portal');
  }
}
