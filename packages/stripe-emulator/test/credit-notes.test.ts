/**
 * Credit notes with a refund, through the official SDK: what refunding a paid subscription invoice takes
 * (docs.stripe.com/api/credit_notes/create). The paid amount is refunded at once, and only once.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { completeCheckout, useHarnessWithCatalog } from './harness.ts';

describe('credit notes and refunds', () => {
  const { h, catalog } = useHarnessWithCatalog();

  async function paidInvoice(): Promise<Stripe.Invoice> {
    const customer = await h.stripe.customers.create({ name: 'Refunded Ltd', email: 'owner@refunded.test' });
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      success_url: 'http://x.test',
      line_items: [
        { price: catalog.starterMonthly.id, quantity: 1 },
        { price: catalog.starterMetered.id },
        { price: catalog.setupFee.id, quantity: 1 },
      ],
    });
    await completeCheckout(h.stripe, session.id, 'pm_card_visa');
    const invoiceId = (await h.stripe.checkout.sessions.retrieve(session.id)).invoice as string;
    return h.stripe.invoices.retrieve(invoiceId);
  }

  it('refunds a paid invoice in full: a post-payment credit note, a succeeded refund, the invoice credited', async () => {
    const invoice = await paidInvoice();
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 20_400 + 24_900 });
    const note = await h.stripe.creditNotes.create(
      {
        invoice: invoice.id,
        amount: invoice.amount_paid,
        refund_amount: invoice.amount_paid,
        reason: 'duplicate',
        metadata: { why: 'duplicate subscription' },
      },
      { idempotencyKey: `refund-${invoice.id}` },
    );
    expect(note).toMatchObject({
      object: 'credit_note',
      invoice: invoice.id,
      customer: invoice.customer,
      amount: 45_300,
      currency: 'eur',
      status: 'issued',
      type: 'post_payment',
      pre_payment_amount: 0,
      post_payment_amount: 45_300,
      reason: 'duplicate',
      metadata: { why: 'duplicate subscription' },
      refunds: [
        { amount_refunded: 45_300, payment_record_refund: null, type: 'refund', refund: expect.stringMatching(/^re_/) },
      ],
    });
    const refund = await h.stripe.refunds.retrieve(note.refunds[0]!.refund as string);
    expect(refund).toMatchObject({
      object: 'refund',
      amount: 45_300,
      currency: 'eur',
      status: 'succeeded',
      customer: invoice.customer,
    });
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: 'paid',
      post_payment_credit_notes_amount: 45_300,
    });
    expect((await h.stripe.creditNotes.list({ invoice: invoice.id })).data.map((n) => n.id)).toEqual([note.id]);
    expect(
      (await h.stripe.creditNotes.retrieve(note.id, { expand: ['refunds.refund'] })).refunds[0]!.refund,
    ).toMatchObject({ id: refund.id, object: 'refund' });

    // The same key replays the same credit note; a new key cannot refund more than was paid.
    const again = await h.stripe.creditNotes.create(
      {
        invoice: invoice.id,
        amount: invoice.amount_paid,
        refund_amount: invoice.amount_paid,
        reason: 'duplicate',
        metadata: { why: 'duplicate subscription' },
      },
      { idempotencyKey: `refund-${invoice.id}` },
    );
    expect(again.id).toBe(note.id);
    await expect(
      h.stripe.creditNotes.create({ invoice: invoice.id, amount: 1, refund_amount: 1 }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'amount' });
    expect((await h.stripe.refunds.list({ limit: 100 })).data.filter((r) => r.id === refund.id)).toHaveLength(1);
  });

  it('refuses what Stripe refuses: no amount, amounts that do not add up, an unknown invoice', async () => {
    const invoice = await paidInvoice();
    await expect(h.stripe.creditNotes.create({ invoice: invoice.id, refund_amount: 100 })).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'amount',
    });
    await expect(
      h.stripe.creditNotes.create({ invoice: invoice.id, amount: 1_000, refund_amount: 500 }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      h.stripe.creditNotes.create({ invoice: 'in_missing', amount: 1, refund_amount: 1 }),
    ).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await h.stripe.invoices.retrieve(invoice.id)).toMatchObject({ post_payment_credit_notes_amount: 0 });
  });
});
