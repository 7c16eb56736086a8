/**
 * Monthly recurring revenue (pure): monthly flat fees plus yearly fees ÷ 12, per currency, in minor units. A yearly
 * fee that does not divide by 12 is rounded to the nearest cent once per subscription (the catalog's yearly prices
 * do divide: twelve months less 10 %).
 */
export interface RecurringPrice {
  billing_period: 'monthly' | 'yearly';
  price_cents: number;
  yearly_price_cents: number;
  currency: string;
}

export function monthlyRecurringRevenue(prices: RecurringPrice[]): Array<{ currency: string; cents: number }> {
  const byCurrency = new Map<string, number>();
  for (const p of prices) {
    const monthly = p.billing_period === 'yearly' ? Math.round(p.yearly_price_cents / 12) : p.price_cents;
    byCurrency.set(p.currency, (byCurrency.get(p.currency) ?? 0) + monthly);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, cents]) => ({ currency, cents }));
}
