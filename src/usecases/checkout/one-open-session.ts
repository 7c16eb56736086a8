/**
 * At most one payable Checkout Session per organisation, under any concurrency (issue 8, defect 1). Under the
 * organisation's checkout lock (a transaction-scoped advisory lock, repositories/checkout-sessions.ts), in order:
 * find its open sessions → reuse the one for the same plan and period, expire every other → create one only if
 * none is left → record it. The next request waits for the lock, so it sees what this one created.
 *
 * A process that dies after Stripe's create and before our commit leaves an open session we never recorded: the
 * next request finds it in Stripe's list and reuses or expires it. Should the list lag, the create's idempotency
 * key (numbered by the sessions recorded so far) makes Stripe replay that very session instead of a second one
 * (docs.stripe.com/api/idempotent_requests). An expired session can no longer be paid
 * (docs.stripe.com/api/checkout/sessions/expire).
 */
import type Stripe from 'stripe';
import { AppError } from '../../errors.ts';
import type { AppContext } from '../context.ts';
import {
  latestCheckoutSession,
  lockOrganisationCheckout,
  recordCheckoutSession,
} from '../../repositories/checkout-sessions.ts';
import { stripeUnavailable } from '../usage/stripe-errors.ts';

export interface SessionRequest {
  orgId: string;
  customerId: string;
  planId: string;
  billingPeriod: 'monthly' | 'yearly';
  /** What to create when no open session can be reused (its metadata names org, plan and period). */
  params: Stripe.Checkout.SessionCreateParams;
}

export async function oneOpenCheckoutSession(ctx: AppContext, req: SessionRequest): Promise<Stripe.Checkout.Session> {
  return ctx.sql.transaction(async (tx) => {
    await lockOrganisationCheckout(tx, req.orgId);
    const { latest, count } = await latestCheckoutSession(tx, req.orgId);
    const open = await openSessions(ctx, req.customerId, latest?.stripeSessionId);
    const reusable = open.find((s) => isFor(s, req));
    for (const session of open) if (session !== reusable) await expire(ctx, session.id);
    const session =
      reusable ?? (await create(ctx, req, `checkout-${req.orgId}-${count}-${req.planId}-${req.billingPeriod}`));
    await recordCheckoutSession(tx, req.orgId, {
      stripeSessionId: session.id,
      planId: req.planId,
      billingPeriod: req.billingPeriod,
    });
    return session;
  });
}

const isFor = (s: Stripe.Checkout.Session, req: SessionRequest): boolean =>
  s.metadata?.org_id === req.orgId &&
  s.metadata?.plan_id === req.planId &&
  s.metadata?.billing_period === req.billingPeriod &&
  !!s.url;

/** The customer's open sessions: Stripe's list, plus the one we recorded last should the list not show it yet. */
async function openSessions(
  ctx: AppContext,
  customerId: string,
  recordedId: string | undefined,
): Promise<Stripe.Checkout.Session[]> {
  try {
    const listed = (await ctx.stripe.checkout.sessions.list({ customer: customerId, status: 'open', limit: 100 })).data;
    if (!recordedId || listed.some((s) => s.id === recordedId)) return listed;
    const recorded = await ctx.stripe.checkout.sessions.retrieve(recordedId);
    return recorded.status === 'open' ? [...listed, recorded] : listed;
  } catch (error) {
    throw stripeUnavailable(error, 'find the open checkout');
  }
}

/**
 * Only the customer paying it can complete a session while we hold the lock. If that happened between the list
 * and the expire, Stripe refuses the expire (400) — the organisation is subscribing right now: no new session.
 */
async function expire(ctx: AppContext, id: string): Promise<void> {
  try {
    await ctx.stripe.checkout.sessions.expire(id);
  } catch (error) {
    if ((error as { type?: string }).type !== 'StripeInvalidRequestError')
      throw stripeUnavailable(error, 'expire the previous checkout');
    const now = await ctx.stripe.checkout.sessions.retrieve(id).catch((e: unknown) => {
      throw stripeUnavailable(e, 'expire the previous checkout');
    });
    if (now.status === 'complete') {
      throw new AppError(
        'already_subscribed',
        'A checkout of this organisation was just paid; its subscription is on its way.',
      );
    }
  }
}

/**
 * A replay under our key answers the session first created with it, as it was then (`Idempotent-Replayed: true`,
 * docs.stripe.com/api/idempotent_requests): we read it again, and should it no longer be open (expired since), or
 * the key be refused because the parameters changed (e.g. another website URL), a fresh key makes a new one.
 */
async function create(ctx: AppContext, req: SessionRequest, key: string): Promise<Stripe.Checkout.Session> {
  const fresh = () =>
    ctx.stripe.checkout.sessions.create(req.params, { idempotencyKey: `${key}-${crypto.randomUUID()}` });
  try {
    let session: Stripe.Response<Stripe.Checkout.Session>;
    try {
      session = await ctx.stripe.checkout.sessions.create(req.params, { idempotencyKey: key });
    } catch (error) {
      if ((error as { type?: string }).type !== 'StripeIdempotencyError') throw error;
      session = await fresh();
    }
    if (session.lastResponse?.headers?.['idempotent-replayed'] === 'true') {
      const now = await ctx.stripe.checkout.sessions.retrieve(session.id);
      session = now.status === 'open' && now.url ? now : await fresh();
    }
    if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
    return session;
  } catch (error) {
    if (error instanceof Error && !('type' in error)) throw error;
    throw stripeUnavailable(error, 'start the checkout');
  }
}
