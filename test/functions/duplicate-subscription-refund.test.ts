/**
 * Issue 8, defect 1: a second live subscription of one organisation is canceled AND its paid invoice refunded
 * through Stripe (a credit note with refund_amount), recorded, and refunded exactly once whatever the deliveries:
 * duplicated, reordered, concurrent, or retried after a failure between the refund and the cancel.
 */
import { expect, it } from 'vitest';
import type { Sql } from '../../src/ports/sql.ts';
import { applyStripeEvent } from '../../src/usecases/apply-stripe-event.ts';
import {
  event,
  fakeSubscription,
  priceIds,
  seedCatalog,
  stripeError,
  testContext,
  type FakeSubscriptionInput,
} from '../support/billing-fixtures.ts';
import { createUserAndOrganisation, describeEachDatabase } from '../support/database.ts';

const NOV = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

/** Subscriptions, their paid invoices and the credit notes made on them, as Stripe keeps them. */
function fakeStripe() {
  const subs = new Map<string, FakeSubscriptionInput>();
  const invoices = new Map<
    string,
    {
      id: string;
      subscription: string;
      amount_paid: number;
      post_payment_credit_notes_amount: number;
      currency: string;
      status: string;
    }
  >();
  const notes: any[] = [];
  const noteCalls: Array<{ params: any; key: string | undefined }> = [];
  const byKey = new Map<string, any>();
  let cancelFails = false;
  const stripe = {
    subscriptions: {
      async retrieve(id: string) {
        return fakeSubscription(structuredClone(subs.get(id)!));
      },
      async cancel(id: string) {
        if (cancelFails) throw stripeError('StripeConnectionError', undefined, 'connect ECONNRESET');
        Object.assign(subs.get(id)!, { status: 'canceled', canceledAt: '2026-11-01T01:00:00Z' });
        return fakeSubscription(subs.get(id)!);
      },
    },
    customers: {
      async retrieve(id: string) {
        return { id, object: 'customer', metadata: {} };
      },
    },
    invoices: {
      async list(p: { subscription: string; status: string }) {
        return {
          object: 'list',
          has_more: false,
          data: [...invoices.values()]
            .filter((i) => i.subscription === p.subscription && i.status === p.status)
            .map((i) => structuredClone(i)),
        };
      },
    },
    creditNotes: {
      async list(p: { invoice: string }) {
        return { object: 'list', has_more: false, data: notes.filter((n) => n.invoice === p.invoice) };
      },
      async create(params: any, o?: { idempotencyKey?: string }) {
        noteCalls.push({ params, key: o?.idempotencyKey });
        if (o?.idempotencyKey && byKey.has(o.idempotencyKey)) return byKey.get(o.idempotencyKey);
        const invoice = invoices.get(params.invoice)!;
        if (params.amount > invoice.amount_paid - invoice.post_payment_credit_notes_amount)
          throw stripeError('StripeInvalidRequestError', 400, 'amount too large', { param: 'amount' });
        invoice.post_payment_credit_notes_amount += params.amount;
        const note = {
          id: `cn_${notes.length + 1}`,
          object: 'credit_note',
          invoice: params.invoice,
          currency: invoice.currency,
          status: 'issued',
          metadata: params.metadata,
          refunds: [
            {
              amount_refunded: params.refund_amount,
              refund: `re_${notes.length + 1}`,
              type: 'refund',
              payment_record_refund: null,
            },
          ],
        };
        notes.push(note);
        if (o?.idempotencyKey) byKey.set(o.idempotencyKey, note);
        return note;
      },
    },
  };
  return {
    stripe,
    subs,
    invoices,
    notes,
    noteCalls,
    failCancel: (v: boolean) => {
      cancelFails = v;
    },
  };
}

async function setup(sql: Sql) {
  const plans = await seedCatalog(sql);
  const { orgId } = await createUserAndOrganisation(sql, { stripeCustomerId: 'cus_1' });
  const fake = fakeStripe();
  const sub = (id: string, created: string): FakeSubscriptionInput => ({
    id,
    customer: 'cus_1',
    created,
    latestInvoice: `in_${id}`,
    metadata: { org_id: orgId, plan_id: plans.starter, billing_period: 'monthly' },
    items: [
      { price: priceIds('starter').monthly, interval: 'month', ...NOV },
      { price: priceIds('starter').metered, interval: 'month', metered: true, ...NOV },
    ],
  });
  // Two Checkout Sessions paid an hour apart: €204 + €249 setup fee, twice.
  fake.subs.set('sub_1', sub('sub_1', '2026-11-01T00:00:00Z'));
  fake.subs.set('sub_2', sub('sub_2', '2026-11-01T01:00:00Z'));
  for (const id of ['sub_1', 'sub_2'])
    fake.invoices.set(`in_${id}`, {
      id: `in_${id}`,
      subscription: id,
      amount_paid: 45_300,
      post_payment_credit_notes_amount: 0,
      currency: 'eur',
      status: 'paid',
    });
  return { orgId, fake, ctx: testContext(sql, fake.stripe) };
}

const created = (id: string, n = 1) =>
  event(`evt_${id}_${n}`, 'customer.subscription.created', { id, object: 'subscription' });
const refundRows = (sql: Sql) =>
  sql.query(
    'select stripe_invoice_id, org_id, canceled_subscription_id, kept_subscription_id, stripe_credit_note_id, stripe_refund_id, amount_refunded_cents, currency from duplicate_subscription_refunds',
  );

describeEachDatabase('a duplicate subscription is canceled and refunded', (db) => {
  it("refunds the newer one's paid invoice in full through a credit note, records it and tells the operator", async () => {
    const { orgId, fake, ctx } = await setup(db.sql);
    await applyStripeEvent(ctx, created('sub_1'));
    await applyStripeEvent(ctx, created('sub_2'));

    expect(fake.noteCalls).toEqual([
      {
        params: {
          invoice: 'in_sub_2',
          amount: 45_300,
          refund_amount: 45_300,
          reason: 'duplicate',
          memo: expect.any(String),
          metadata: { org_id: orgId, duplicate_subscription: 'sub_2', kept_subscription: 'sub_1' },
        },
        key: 'refund-duplicate-in_sub_2',
      },
    ]);
    expect(fake.subs.get('sub_2')!.status).toBe('canceled');
    expect(await refundRows(db.sql)).toEqual([
      {
        stripe_invoice_id: 'in_sub_2',
        org_id: orgId,
        canceled_subscription_id: 'sub_2',
        kept_subscription_id: 'sub_1',
        stripe_credit_note_id: 'cn_1',
        stripe_refund_id: 're_1',
        amount_refunded_cents: 45_300,
        currency: 'eur',
      },
    ]);
    const logged = ctx.logger.lines.map((l) => JSON.parse(l)).filter((l) => /duplicate subscription/.test(l.msg));
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'warn',
        canceled_subscription: 'sub_2',
        refunds: [{ invoice: 'in_sub_2', credit_note: 'cn_1', refund: 're_1', amount_cents: 45_300, currency: 'eur' }],
      }),
    ]);
    expect(ctx.logger.lines.join('\n')).not.toContain('by hand:');
  });

  it('duplicated and reordered deliveries refund once; the older subscription is kept whichever came first', async () => {
    const { fake, ctx } = await setup(db.sql);
    for (const e of [created('sub_2'), created('sub_2', 2), created('sub_1'), created('sub_2', 3), created('sub_1', 2)])
      await applyStripeEvent(ctx, e);
    expect(fake.notes.map((n) => n.invoice)).toEqual(['in_sub_2']);
    expect(fake.subs.get('sub_1')!.status ?? 'active').toBe('active');
    expect((await refundRows(db.sql)).map((r) => r.stripe_invoice_id)).toEqual(['in_sub_2']);
  });

  it('a failure between the refund and the cancel: the retried event cancels without refunding again', async () => {
    const { fake, ctx } = await setup(db.sql);
    await applyStripeEvent(ctx, created('sub_1'));
    fake.failCancel(true);
    await expect(applyStripeEvent(ctx, created('sub_2'))).rejects.toMatchObject({ type: 'StripeConnectionError' });
    fake.failCancel(false);
    await applyStripeEvent(ctx, created('sub_2')); // Stripe delivers it again
    expect(fake.notes).toHaveLength(1);
    expect(fake.subs.get('sub_2')!.status).toBe('canceled');
    expect(await refundRows(db.sql)).toHaveLength(1);
  });

  it('a credit note made before our row was written is recorded, not repeated', async () => {
    const { fake, ctx } = await setup(db.sql);
    await applyStripeEvent(ctx, created('sub_1'));
    await applyStripeEvent(ctx, created('sub_2'));
    await db.sql.query('delete from duplicate_subscription_refunds'); // as if the process died after Stripe answered
    fake.subs.get('sub_2')!.status = 'active';
    await applyStripeEvent(ctx, created('sub_2', 2));
    expect(fake.notes).toHaveLength(1);
    expect((await refundRows(db.sql)).map((r) => r.stripe_credit_note_id)).toEqual(['cn_1']);
  });

  it("concurrent deliveries of both subscriptions' events refund one invoice once", async () => {
    const { fake, ctx } = await setup(db.sql);
    const other = testContext(await db.connect(), fake.stripe);
    await applyStripeEvent(ctx, created('sub_1'));
    await Promise.allSettled([
      applyStripeEvent(ctx, created('sub_2')),
      applyStripeEvent(other, created('sub_2', 2)),
      applyStripeEvent(other, created('sub_1', 2)),
    ]);
    await applyStripeEvent(ctx, created('sub_2', 3)); // whatever failed is delivered again
    expect(fake.notes.map((n) => n.invoice)).toEqual(['in_sub_2']);
    expect(await refundRows(db.sql)).toHaveLength(1);
    expect(fake.subs.get('sub_2')!.status).toBe('canceled');
  });
});
