/** Stripe-style ids: a prefix (`cus_`, `sub_`, …) and 24 random base62 characters. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

/** Which stored collection an id belongs to, by its prefix; used by `expand` and the generic lookup. */
export const PREFIX_KIND: Record<string, string> = {
  cus: 'customer',
  prod: 'product',
  price: 'price',
  mtr: 'billing.meter',
  sub: 'subscription',
  si: 'subscription_item',
  in: 'invoice',
  il: 'line_item',
  cs: 'checkout.session',
  pm: 'payment_method',
  evt: 'event',
  we: 'webhook_endpoint',
  clock: 'test_helpers.test_clock',
  bps: 'billing_portal.session',
  bpc: 'billing_portal.configuration',
  ii: 'invoiceitem',
  pi: 'payment_intent',
  cn: 'credit_note',
  re: 'refund',
  sub_sched: 'subscription_schedule',
};

export function kindOfId(id: string): string | undefined {
  if (id.startsWith('sub_sched_')) return PREFIX_KIND.sub_sched; // the one prefix with an underscore in it
  const prefix = id.slice(0, id.indexOf('_'));
  return PREFIX_KIND[prefix];
}
