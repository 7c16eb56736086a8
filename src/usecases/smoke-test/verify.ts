/** Reading back what the deployment says: billing-summary as the owner sees it, and the invoices at Stripe. */
import type Stripe from 'stripe';
import { euros, type ExpectedBill } from './expected-bill.ts';
import { expectStatus, requestJson } from './http.ts';
import type { SmokeState, SmokeTestPorts } from './types.ts';

export interface Summary {
  subscription: null | { plan: { name: string }; status: string; current_period_start: string };
  usage: null | {
    period_start: string;
    period_end: string;
    minutes_used: number;
    overage_minutes: number;
    overage_cost_cents: number;
  };
}

export async function billingSummary(
  ports: Pick<SmokeTestPorts, 'fetch'>,
  url: string,
  state: SmokeState,
): Promise<Summary> {
  return expectStatus(
    await requestJson<Summary>(ports, `${url}?org_id=${state.orgId}`, {
      headers: { authorization: `Bearer ${state.token}` },
    }),
    200,
    'billing-summary',
  );
}

/** The ledger's figures in the words billing-summary is compared in. */
export const expectedCycle = (bill: ExpectedBill) =>
  `${bill.billedMinutes} minutes, ${bill.overageMinutes} over, ${euros(bill.overageCents)}`;

/** An invoice's total once Stripe says it is paid. */
export async function paidInvoiceTotal(ports: Pick<SmokeTestPorts, 'stripe'>, invoiceId: string): Promise<number> {
  const invoice = await ports.stripe.invoices.retrieve(invoiceId);
  if (invoice.status !== 'paid') throw new Error(`${invoiceId} is ${invoice.status}, not paid`);
  return invoice.total;
}

/** The subscription's invoice for its second period (billing_reason `subscription_cycle`), when Stripe has made it. */
export async function findRenewalInvoice(
  ports: Pick<SmokeTestPorts, 'stripe'>,
  subscriptionId: string,
): Promise<Stripe.Invoice | undefined> {
  const list = await ports.stripe.invoices.list({ subscription: subscriptionId, limit: 10 });
  return list.data.find((i) => i.billing_reason === 'subscription_cycle');
}

/** The sum of an invoice's lines for one price (the metered line: this period's overage). */
export function amountForPrice(invoice: Stripe.Invoice, priceId: string): number {
  return invoice.lines.data
    .filter((line) => {
      const price = line.pricing?.price_details?.price;
      return (typeof price === 'string' ? price : price?.id) === priceId;
    })
    .reduce((sum, line) => sum + line.amount, 0);
}

export interface CallLogEntry {
  call_id: string;
  billed_minutes: number;
  delivered_to_stripe: boolean;
}

/** The current cycle's calls from the owner's call log (`usage-records`), as the database rows hold them. */
export async function callLog(
  ports: Pick<SmokeTestPorts, 'fetch'>,
  url: string,
  state: SmokeState,
): Promise<CallLogEntry[]> {
  const page = expectStatus(
    await requestJson<{ calls: CallLogEntry[] }>(ports, `${url}?org_id=${state.orgId}&cycle=current&limit=200`, {
      headers: { authorization: `Bearer ${state.token}` },
    }),
    200,
    'usage-records',
  );
  return page.calls
    .map(({ call_id, billed_minutes, delivered_to_stripe }) => ({ call_id, billed_minutes, delivered_to_stripe }))
    .sort((a, b) => a.call_id.localeCompare(b.call_id));
}
