/**
 * The past-due list: each past_due / unpaid subscription with the invoice it owes (the one whose payment failed,
 * else its newest open invoice), the amount still due, and how many days overdue it is on the customer's own clock
 * (Stripe's "now" for it: a test clock's time in test mode). The invoice link is Stripe's hosted invoice page.
 */
import type Stripe from 'stripe';
import type { PastDueSubscription } from '../../repositories/admin-overview.ts';

export interface PastDueCustomer {
  org_id: string;
  org_name: string;
  status: string;
  stripe_subscription_id: string;
  invoice_id: string | null;
  amount_due_cents: number | null;
  currency: string | null;
  days_overdue: number | null;
  invoice_url: string | null;
}

const DAY_MS = 86_400_000;

export async function describePastDue(
  stripe: Stripe,
  sub: PastDueSubscription,
  wallClock: Date,
): Promise<PastDueCustomer> {
  const invoice = await owedInvoice(stripe, sub);
  const now = sub.clock_time ?? wallClock;
  const dueSince = invoice?.due_date ?? invoice?.status_transitions?.finalized_at ?? null;
  const since = dueSince ? new Date(dueSince * 1000) : sub.payment_failed_at;
  return {
    org_id: sub.org_id,
    org_name: sub.org_name,
    status: sub.status,
    stripe_subscription_id: sub.stripe_subscription_id,
    invoice_id: invoice?.id ?? null,
    amount_due_cents: invoice ? invoice.amount_remaining : null,
    currency: invoice?.currency ?? null,
    days_overdue: since ? Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS)) : null,
    invoice_url: invoice?.hosted_invoice_url ?? null,
  };
}

async function owedInvoice(stripe: Stripe, sub: PastDueSubscription): Promise<Stripe.Invoice | undefined> {
  if (sub.payment_failed_invoice_id) {
    const failed = await stripe.invoices.retrieve(sub.payment_failed_invoice_id);
    if (failed.status === 'open') return failed;
  }
  const open = await stripe.invoices.list({ subscription: sub.stripe_subscription_id, status: 'open', limit: 1 });
  return open.data[0];
}
