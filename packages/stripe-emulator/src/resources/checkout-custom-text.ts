/**
 * A Checkout Session's `custom_text` (docs.stripe.com/payments/checkout/custom-components#customize-text): up to
 * 1,200 characters each shown after submit, by the shipping address, by the submit button and by the terms.
 * Unset parts (and an empty value) are `null`, as Stripe answers them.
 */
import { invalidParam } from '../errors.ts';
import type { Params } from '../form.ts';
import { obj } from '../params.ts';

const PARTS = ['after_submit', 'shipping_address', 'submit', 'terms_of_service_acceptance'] as const;

export function customTextOf(p: Params): Record<(typeof PARTS)[number], { message: string } | null> {
  const given = obj(p, 'custom_text') ?? {};
  const out = {} as Record<(typeof PARTS)[number], { message: string } | null>;
  for (const part of PARTS) {
    const message = obj(given, part)?.message;
    if (message !== undefined && typeof message !== 'string')
      throw invalidParam(`custom_text[${part}][message]`, 'Invalid string');
    if (typeof message === 'string' && message.length > 1200)
      throw invalidParam(`custom_text[${part}][message]`, 'The message must be at most 1200 characters.');
    out[part] = message ? { message } : null;
  }
  for (const key of Object.keys(given))
    if (!PARTS.includes(key as never))
      throw invalidParam(`custom_text[${key}]`, `Received unknown parameter: custom_text[${key}]`);
  return out;
}
