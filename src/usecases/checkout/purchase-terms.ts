/**
 * What a Checkout Session charges and says beyond the plan's own prices (issue 8, item 14):
 * - the one-time setup fee comes with an organisation's FIRST subscription only: one that ever had a subscription
 *   that started (anything but `incomplete_expired`, whose first payment never went through) does not pay it again;
 * - a yearly Checkout shows no metered line (the webhook adds the monthly metered item, start-checkout.ts), so the
 *   overage terms are disclosed by the submit button (`custom_text.submit.message`,
 *   docs.stripe.com/payments/checkout/custom-components#customize-text), as a monthly one does by its metered line.
 */
import type Stripe from 'stripe';
import type { Sql } from '../../ports/sql.ts';
import { formatMoney, money } from '../../domain/money.ts';
import type { Currency } from '../../domain/catalog.ts';
import { hasEverSubscribed } from '../../repositories/subscriptions.ts';
import type { PurchasablePlan } from './purchasable-plan.ts';

type Period = 'monthly' | 'yearly';

export async function purchaseTerms(
  sql: Sql,
  orgId: string,
  plan: PurchasablePlan,
  period: Period,
  lineItems: Stripe.Checkout.SessionCreateParams.LineItem[],
  setupFeePriceId: string,
): Promise<Pick<Stripe.Checkout.SessionCreateParams, 'line_items' | 'custom_text'>> {
  const before = await hasEverSubscribed(sql, orgId);
  return {
    line_items: before ? lineItems.filter((item) => item.price !== setupFeePriceId) : lineItems,
    ...(period === 'yearly' ? { custom_text: { submit: { message: overageDisclosure(plan) } } } : {}),
  };
}

export function overageDisclosure(plan: PurchasablePlan): string {
  return `Includes ${plan.includedMinutes.toLocaleString('en')} call minutes every month. Each minute over that costs ${formatMoney(money(plan.overageRateCents, plan.currency as Currency))}, billed monthly in arrears.`;
}
