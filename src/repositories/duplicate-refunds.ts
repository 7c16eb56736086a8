/**
 * What was refunded when a second live subscription of one organisation was canceled (migration 20261201000100):
 * one row per refunded invoice, so a duplicated or reordered webhook never refunds an invoice twice.
 */
import type { Sql } from '../ports/sql.ts';

export interface DuplicateRefund {
  invoiceId: string;
  orgId: string;
  canceledSubscriptionId: string;
  keptSubscriptionId: string;
  creditNoteId: string;
  refundId: string | null;
  amountRefundedCents: number;
  currency: string;
}

export async function isInvoiceRefundedAsDuplicate(sql: Sql, invoiceId: string): Promise<boolean> {
  const rows = await sql.query('select 1 from public.duplicate_subscription_refunds where stripe_invoice_id = $1', [
    invoiceId,
  ]);
  return rows.length > 0;
}

/** Records the refund; false when another delivery of the event recorded it first. */
export async function recordDuplicateRefund(sql: Sql, r: DuplicateRefund): Promise<boolean> {
  const rows = await sql.query(
    `insert into public.duplicate_subscription_refunds
       (stripe_invoice_id, org_id, canceled_subscription_id, kept_subscription_id, stripe_credit_note_id, stripe_refund_id, amount_refunded_cents, currency)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (stripe_invoice_id) do nothing returning 1`,
    [
      r.invoiceId,
      r.orgId,
      r.canceledSubscriptionId,
      r.keptSubscriptionId,
      r.creditNoteId,
      r.refundId,
      r.amountRefundedCents,
      r.currency,
    ],
  );
  return rows.length > 0;
}
