/**
 * Refunds the paid invoices of a duplicate subscription through Stripe, so nobody refunds by hand (issue 8,
 * defect 1). A credit note with `refund_amount` on a paid invoice refunds its payment and documents why on the
 * invoice (docs.stripe.com/api/credit_notes/create, docs.stripe.com/invoicing/integration/programmatic-credit-notes):
 * the way Stripe documents refunding a paid subscription invoice since invoices no longer name one charge.
 *
 * Never twice, whatever the deliveries: our row per invoice (duplicate_subscription_refunds) is checked first; a
 * credit note we made already (found by its metadata) is recorded rather than repeated; concurrent handlers send the
 * same parameters under one idempotency key, so Stripe makes one (docs.stripe.com/api/idempotent_requests); and the
 * amount is what is still uncredited, so Stripe itself refuses a second full refund.
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';
import {
  isInvoiceRefundedAsDuplicate,
  recordDuplicateRefund,
  type DuplicateRefund,
} from '../../repositories/duplicate-refunds.ts';

export interface DuplicatePair {
  orgId: string;
  keptSubscriptionId: string;
  duplicateSubscriptionId: string;
}

/** Refunds every paid invoice of the duplicate; returns the refunds recorded by this call. */
export async function refundDuplicateInvoices(ctx: AppContext, pair: DuplicatePair): Promise<DuplicateRefund[]> {
  const paid = await ctx.stripe.invoices.list({
    subscription: pair.duplicateSubscriptionId,
    status: 'paid',
    limit: 100,
  });
  const recorded: DuplicateRefund[] = [];
  for (const invoice of paid.data) {
    if (await isInvoiceRefundedAsDuplicate(ctx.sql, invoice.id)) continue;
    const note = (await ourCreditNote(ctx, invoice.id, pair)) ?? (await refundNote(ctx, invoice, pair));
    if (!note) continue; // nothing was paid (a zero invoice)
    const refund: DuplicateRefund = {
      invoiceId: invoice.id,
      orgId: pair.orgId,
      canceledSubscriptionId: pair.duplicateSubscriptionId,
      keptSubscriptionId: pair.keptSubscriptionId,
      creditNoteId: note.id,
      refundId: refundIdOf(note),
      amountRefundedCents: note.refunds.reduce((sum, r) => sum + r.amount_refunded, 0),
      currency: note.currency,
    };
    if (await recordDuplicateRefund(ctx.sql, refund)) recorded.push(refund);
  }
  return recorded;
}

const metadataOf = (pair: DuplicatePair) => ({
  org_id: pair.orgId,
  duplicate_subscription: pair.duplicateSubscriptionId,
  kept_subscription: pair.keptSubscriptionId,
});

/** A credit note we made for this duplicate already (a delivery that died before recording it). */
async function ourCreditNote(
  ctx: AppContext,
  invoiceId: string,
  pair: DuplicatePair,
): Promise<Stripe.CreditNote | undefined> {
  const notes = await ctx.stripe.creditNotes.list({ invoice: invoiceId, limit: 100 });
  return notes.data.find(
    (n) => n.status !== 'void' && n.metadata?.duplicate_subscription === pair.duplicateSubscriptionId,
  );
}

async function refundNote(
  ctx: AppContext,
  invoice: Stripe.Invoice,
  pair: DuplicatePair,
): Promise<Stripe.CreditNote | undefined> {
  const amount = invoice.amount_paid - invoice.post_payment_credit_notes_amount;
  if (amount <= 0) return undefined;
  return ctx.stripe.creditNotes.create(
    {
      invoice: invoice.id,
      amount,
      refund_amount: amount,
      reason: 'duplicate',
      memo: 'Second subscription of the same organisation, canceled: refunded in full.',
      metadata: metadataOf(pair),
    },
    { idempotencyKey: `refund-duplicate-${invoice.id}` },
  );
}

const refundIdOf = (note: Stripe.CreditNote): string | null => {
  const refund = note.refunds[0]?.refund;
  return refund === undefined ? null : typeof refund === 'string' ? refund : refund.id;
};
