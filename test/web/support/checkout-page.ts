/**
 * Driving the Stripe emulator's hosted Checkout page as a person would: the labelled card inputs and the pay button.
 * Labels are matched loosely (as on Stripe's own page: "Card number", "Expiration"/"Expiry", "CVC").
 */
import type { Page } from 'playwright-core';

export const CARD_VISA = '4242 4242 4242 4242';
export const CARD_DECLINED = '4000 0000 0000 0002';

export async function payWithCard(page: Page, cardNumber: string): Promise<void> {
  await page.getByLabel(/card number/i).fill(cardNumber);
  await page.getByLabel(/expir/i).fill('12 / 34');
  await page.getByLabel(/cvc|security code/i).fill('123');
  await page.getByRole('button', { name: /pay|subscribe/i }).click();
}
