/**
 * For page-state tests: answers the functions API inside the browser (page.route) with fixed bodies, and puts a
 * signed-in supabase-js session in localStorage, so every dashboard state can be rendered without a backend.
 * The end-to-end story (customer-journey.test.ts) uses the real local stack instead.
 */
import type { BrowserContext, Route } from 'playwright-core';
import type { BillingSummary, Invoice, Plan, Subscription, Usage, UsagePart } from '../../../web/src/api.ts';

export const PLANS: Plan[] = [
  {
    id: 'plan-starter',
    name: 'Starter',
    included_minutes: 500,
    currency: 'eur',
    monthly_price_cents: 20_400,
    yearly_price_cents: 220_320,
    overage_rate_cents: 50,
    setup_fee_cents: 24_900,
    sort_order: 1,
  },
  {
    id: 'plan-growth',
    name: 'Growth',
    included_minutes: 1_000,
    currency: 'eur',
    monthly_price_cents: 36_600,
    yearly_price_cents: 395_280,
    overage_rate_cents: 50,
    setup_fee_cents: 24_900,
    sort_order: 2,
  },
  {
    id: 'plan-enterprise',
    name: 'Enterprise',
    included_minutes: 2_000,
    currency: 'eur',
    monthly_price_cents: 62_400,
    yearly_price_cents: 673_920,
    overage_rate_cents: 50,
    setup_fee_cents: 24_900,
    sort_order: 3,
  },
];

export interface ApiAnswer {
  status?: number;
  body: unknown;
}

/** `answers` maps a function name (plans, billing-summary, create-checkout-session, …) to its answer. */
export async function mockFunctions(
  context: BrowserContext,
  answers: Record<
    string,
    ApiAnswer | ((url: URL, body: Record<string, unknown> | undefined) => ApiAnswer | Promise<ApiAnswer>)
  >,
): Promise<string[]> {
  const calls: string[] = [];
  await context.route('**/functions/v1/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const name = url.pathname.replace('/functions/v1/', '');
    calls.push(`${route.request().method()} ${name}`);
    const answer = answers[name];
    const sent = route.request().postData();
    const { status = 200, body } =
      typeof answer === 'function'
        ? await answer(url, sent ? (JSON.parse(sent) as Record<string, unknown>) : undefined)
        : (answer ?? { status: 404, body: { error: 'not_found', message: 'Not mocked.' } });
    await route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  await context.route('**/auth/v1/**', (route) => route.fulfill({ status: 204, body: '' }));
  return calls;
}

/** supabase-js keeps the session under `sb-<first label of the Supabase host>-auth-token`. */
export async function signInAs(context: BrowserContext, email = 'owner@example.com'): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const session = {
    access_token: 'header.payload.signature',
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: now + 3600,
    refresh_token: 'refresh-token',
    user: {
      id: 'user-1',
      aud: 'authenticated',
      role: 'authenticated',
      email,
      app_metadata: {},
      user_metadata: {},
      created_at: new Date().toISOString(),
    },
  };
  await context.addInitScript(
    (value: string) => localStorage.setItem('sb-127-auth-token', value),
    JSON.stringify(session),
  );
}

const DAY = 86_400_000;

export function summary(
  overrides: {
    subscription?: Subscription | null;
    usage?: Usage | null;
    earlier?: UsagePart[];
    invoices?: Invoice[];
  } = {},
): BillingSummary & { subscription: Subscription; usage: Usage } {
  const start = new Date(Date.now() - 10 * DAY);
  const end = new Date(start.getTime() + 30 * DAY);
  return <BillingSummary & { subscription: Subscription; usage: Usage }>{
    organisation: { id: 'org-1', name: 'Acme Dental Clinics' },
    organisations: [{ id: 'org-1', name: 'Acme Dental Clinics' }],
    subscription:
      overrides.subscription === undefined
        ? {
            plan: { id: 'plan-growth', name: 'Growth' },
            billing_period: 'monthly',
            status: 'active',
            current_period_start: start.toISOString(),
            current_period_end: end.toISOString(),
            cancel_at_period_end: false,
            cancel_at: null,
          }
        : overrides.subscription,
    usage:
      overrides.usage === undefined
        ? {
            period_start: start.toISOString(),
            period_end: end.toISOString(),
            minutes_used: 412,
            included_minutes: 1000,
            overage_minutes: 0,
            overage_cost_cents: 0,
            currency: 'eur',
          }
        : overrides.usage,
    usage_earlier_in_period: overrides.earlier ?? [],
    invoices: overrides.invoices ?? [
      {
        id: 'in_1',
        number: 'AISYST-0001',
        status: 'paid',
        total_cents: 61_500,
        currency: 'eur',
        period_start: start.toISOString(),
        period_end: end.toISOString(),
        hosted_invoice_url: 'https://invoice.example/in_1',
      },
    ],
  };
}
