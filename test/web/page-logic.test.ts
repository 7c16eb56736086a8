import { describe, expect, it } from 'vitest';
import { ApiError, createFunctionsClient, type Plan } from '../../web/src/api.ts';
import { parseRuntimeConfig } from '../../web/src/config.ts';
import { authErrorSentence, errorSentence } from '../../web/src/errors.ts';
import { formatMoney, formatPeriod } from '../../web/src/format.ts';
import { planPriceView } from '../../web/src/pricing-math.ts';

const starter: Plan = {
  id: 'p1',
  name: 'Starter',
  included_minutes: 500,
  currency: 'eur',
  monthly_price_cents: 20_400,
  yearly_price_cents: 220_320,
  overage_rate_cents: 50,
  setup_fee_cents: 24_900,
  sort_order: 1,
};

describe('what a plan card shows', () => {
  it('monthly: the monthly price per month', () => {
    expect(planPriceView(starter, 'monthly')).toEqual({ priceCents: 20_400, per: 'month' });
  });
  it('yearly: the yearly price, its monthly equivalent and the 10 % saving', () => {
    expect(planPriceView(starter, 'yearly')).toEqual({
      priceCents: 220_320,
      per: 'year',
      monthlyEquivalentCents: 18_360,
      savingCents: 24_480,
      savingPercent: 10,
    });
  });
  it('formats euro amounts exactly, whole euros without cents when asked', () => {
    expect(formatMoney(220_320, 'eur', { locale: 'en-IE' })).toBe('€2,203.20');
    expect(formatMoney(20_400, 'eur', { locale: 'en-IE', wholeIfExact: true })).toBe('€204');
    expect(formatMoney(50, 'eur', { locale: 'de-DE' }).replace(/\s/g, ' ')).toBe('0,50 €');
    expect(formatMoney(900_719_925_474_099, 'eur', { locale: 'en-IE' })).toBe('€9,007,199,254,740.99');
  });
  it('collapses what the two ends of a period share', () => {
    expect(formatPeriod('2026-11-25T12:00:00Z', '2026-12-25T12:00:00Z', 'en-IE').replace(/\s/g, ' ')).toBe(
      '25 Nov – 25 Dec 2026',
    );
  });
});

describe('errors as sentences', () => {
  it('maps the codes callers branch on', () => {
    expect(errorSentence(new ApiError('already_subscribed', 'x', 409))).toMatch(/already has an active subscription/);
    expect(errorSentence(new ApiError('stripe_unavailable', 'x', 502))).toMatch(/Nothing was charged/);
    expect(errorSentence(new ApiError('invalid_request', 'billing_period must be monthly or yearly.', 400))).toBe(
      'billing_period must be monthly or yearly.',
    );
    expect(errorSentence(new ApiError('network', '', 0))).toMatch(/could not reach AiSyst/);
  });
  it('maps Supabase Auth failures', () => {
    expect(authErrorSentence({ code: 'invalid_credentials', message: 'Invalid login credentials' })).toMatch(
      /do not match/,
    );
    expect(authErrorSentence({ code: 'user_already_exists', message: 'User already registered' })).toMatch(
      /sign in instead/,
    );
  });
});

describe('the functions client', () => {
  it('sends the anon key and the user JWT, and turns error bodies into ApiError', async () => {
    const seen: Request[] = [];
    const client = createFunctionsClient({
      functionsUrl: 'http://x/functions/v1',
      anonKey: 'anon',
      accessToken: async () => 'jwt',
      fetchFn: async (input, init) => {
        seen.push(new Request(input, init));
        return Response.json({ error: 'already_subscribed', message: 'Already subscribed.' }, { status: 409 });
      },
    });
    const failure = await client
      .createCheckoutSession({ plan_id: 'p1', billing_period: 'monthly', org_id: 'o1' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'already_subscribed', status: 409 });
    expect(seen[0]!.url).toBe('http://x/functions/v1/create-checkout-session');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer jwt');
    expect(seen[0]!.headers.get('apikey')).toBe('anon');
    expect(await seen[0]!.json()).toEqual({ plan_id: 'p1', billing_period: 'monthly', org_id: 'o1' });
  });
});

describe('runtime configuration', () => {
  it('names every missing field', () => {
    expect(() => parseRuntimeConfig({ functionsUrl: 'http://x' })).toThrow(
      'config.json is missing supabaseUrl, supabaseAnonKey',
    );
    expect(
      parseRuntimeConfig({ functionsUrl: 'http://x/functions/v1/', supabaseUrl: 'http://x', supabaseAnonKey: 'k' })
        .functionsUrl,
    ).toBe('http://x/functions/v1');
  });
});
