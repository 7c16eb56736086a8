/**
 * The organisation's Stripe Customer, carrying the owner's sign-up e-mail (issue 8, defect 11): Checkout then does
 * not ask for it again, and Stripe's receipts and invoice e-mails have an address to go to
 * (docs.stripe.com/api/customers/object#customer_object-email, docs.stripe.com/invoicing/send-email).
 *
 * Kept in sync on each checkout and portal session: when the owner's current e-mail (auth.users.email) differs from
 * the one we last set (organisations.stripe_customer_email), the customer is updated. An e-mail changed by the
 * customer at Stripe itself (in the portal) is not overwritten until the owner changes theirs here.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import {
  findBillingEmails,
  recordStripeCustomerEmail,
  setStripeCustomerIdIfMissing,
  type Organisation,
} from '../../repositories/organisations.ts';
import { stripeUnavailable } from '../usage/stripe-errors.ts';

/**
 * The organisation's Customer, created at most once: Stripe replays the first answer for the same idempotency
 * key (24 h, docs.stripe.com/api/idempotent_requests), so two concurrent first checkouts get ONE customer, and
 * setStripeCustomerIdIfMissing makes the database keep one id whatever the interleaving. Stripe refuses a reused
 * key with other params, so the key carries a digest of the e-mail (no volatile fields, no address in a key).
 */
export async function ensureBillingCustomer(ctx: AppContext, org: Organisation): Promise<string> {
  const { ownerEmail, customerEmail } = await findBillingEmails(ctx.sql, org.id);
  if (org.stripeCustomerId) {
    await syncEmail(ctx, org.id, org.stripeCustomerId, ownerEmail, customerEmail);
    return org.stripeCustomerId;
  }
  let customer: Stripe.Customer;
  try {
    customer = await ctx.stripe.customers.create(
      { name: org.name, ...(ownerEmail ? { email: ownerEmail } : {}), metadata: { org_id: org.id } },
      { idempotencyKey: `customer-${org.id}-${await digest(ownerEmail ?? '')}` },
    );
  } catch (error) {
    throw stripeUnavailable(error, 'create the customer');
  }
  const stored = await setStripeCustomerIdIfMissing(ctx.sql, org.id, customer.id);
  if (stored === customer.id && ownerEmail) await recordStripeCustomerEmail(ctx.sql, org.id, ownerEmail);
  else await syncEmail(ctx, org.id, stored, ownerEmail, customerEmail);
  return stored;
}

/** Before a portal session: the same sync, for an organisation that has a customer already. */
export async function syncBillingEmail(ctx: AppContext, org: Organisation): Promise<void> {
  if (!org.stripeCustomerId) return;
  const { ownerEmail, customerEmail } = await findBillingEmails(ctx.sql, org.id);
  await syncEmail(ctx, org.id, org.stripeCustomerId, ownerEmail, customerEmail);
}

/**
 * Best effort: a failed update is logged and tried again on the next session (nothing is recorded), never a reason
 * to refuse the checkout or the portal the owner asked for.
 */
async function syncEmail(
  ctx: AppContext,
  orgId: string,
  customerId: string,
  ownerEmail: string | null,
  customerEmail: string | null,
): Promise<void> {
  if (!ownerEmail || ownerEmail === customerEmail) return;
  try {
    await ctx.stripe.customers.update(customerId, { email: ownerEmail });
  } catch {
    ctx.logger.warn("could not update the Stripe customer's e-mail; will retry on the next session", {
      org_id: orgId,
      customer: customerId,
    });
    return;
  }
  await recordStripeCustomerEmail(ctx.sql, orgId, ownerEmail);
}

/** Web Crypto, as on Node and Deno alike. */
async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
