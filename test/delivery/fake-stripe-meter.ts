/**
 * A fake of the Stripe meter endpoints the deliverer calls — v1 `billing.meterEvents.create`, v2
 * `meterEventSession.create` and `meterEventStream.create` — that behaves as Stripe does where it matters for
 * counting: an identifier is taken once (a v1 resend answers "already exists", a stream resend is dropped), a session
 * token can expire (401 billing_meter_event_session_expired), and a fault can strike before Stripe takes an event
 * (nothing counted) or after (counted, but the answer is lost). `total(customer)` is what the meter would bill.
 */
import { stripeError } from '../support/billing-fixtures.ts';

type Event = { identifier: string; customer: string; value: number; timestamp: number | undefined };
export type Fault = 'down' | 'lost-answer' | 'server-error' | undefined;
export type Request =
  | { kind: 'v1'; identifier: string; value: number; key: string | undefined; customer: string }
  | { kind: 'stream'; identifiers: string[] };

export function fakeStripeMeter(fault: (request: Request, n: number) => Fault = () => undefined) {
  const events = new Map<string, Event>();
  const requests: Request[] = [];
  let sessions = 0;
  let validToken: string | undefined;
  const inFlight = new Map<string, number>();
  let maxPerCustomer = 0;

  const take = (e: Event) => {
    if (!events.has(e.identifier)) events.set(e.identifier, e);
  };
  const faultError = (f: Fault) =>
    f === 'server-error'
      ? stripeError('StripeAPIError', 500, 'An unknown error occurred')
      : stripeError('StripeConnectionError', undefined, 'Request aborted due to timeout being reached (3000ms)');

  const stripe = {
    billing: {
      meterEvents: {
        async create(
          params: { identifier: string; timestamp?: number; payload: Record<string, string> },
          opts?: { idempotencyKey?: string },
        ) {
          const customer = params.payload.stripe_customer_id!;
          inFlight.set(customer, (inFlight.get(customer) ?? 0) + 1);
          maxPerCustomer = Math.max(maxPerCustomer, inFlight.get(customer)!);
          try {
            await new Promise((r) => setTimeout(r, 1));
            const request: Request = {
              kind: 'v1',
              identifier: params.identifier,
              value: Number(params.payload.value),
              key: opts?.idempotencyKey,
              customer,
            };
            requests.push(request);
            const f = fault(request, requests.length);
            if (f === 'down' || f === 'server-error') throw faultError(f);
            if (events.has(params.identifier) && f !== 'lost-answer')
              throw stripeError(
                'StripeInvalidRequestError',
                400,
                `An event with identifier \`${params.identifier}\` already exists.`,
              );
            take({
              identifier: params.identifier,
              customer,
              value: Number(params.payload.value),
              timestamp: params.timestamp,
            });
            if (f === 'lost-answer') throw faultError(f);
            return { object: 'billing.meter_event', ...params };
          } finally {
            inFlight.set(customer, inFlight.get(customer)! - 1);
          }
        },
      },
    },
    v2: {
      billing: {
        meterEventSession: {
          async create() {
            sessions++;
            validToken = `token_${sessions}`;
            return {
              object: 'v2.billing.meter_event_session',
              authentication_token: validToken,
              expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
            };
          },
        },
        meterEventStream: {
          async create(
            params: { events: Array<{ identifier: string; timestamp: string; payload: Record<string, string> }> },
            opts?: { apiKey?: string },
          ) {
            await new Promise((r) => setTimeout(r, 1));
            if (opts?.apiKey !== validToken)
              throw stripeError('TemporarySessionExpiredError', 401, 'The meter event session has expired.', {
                code: 'billing_meter_event_session_expired',
              });
            if (params.events.length > 100)
              throw stripeError('StripeInvalidRequestError', 400, 'events: At most 100 events per request.', {
                code: 'invalid_fields',
              });
            const request: Request = { kind: 'stream', identifiers: params.events.map((e) => e.identifier) };
            requests.push(request);
            const f = fault(request, requests.length);
            if (f === 'down' || f === 'server-error') throw faultError(f);
            for (const e of params.events)
              take({
                identifier: e.identifier,
                customer: e.payload.stripe_customer_id!,
                value: Number(e.payload.value),
                timestamp: Math.floor(Date.parse(e.timestamp) / 1000),
              });
            if (f === 'lost-answer') throw faultError(f);
          },
        },
      },
    },
  };
  return {
    stripe,
    requests,
    events,
    sessions: () => sessions,
    expireSession: () => {
      validToken = undefined;
    },
    maxPerCustomer: () => maxPerCustomer,
    /** What Stripe would bill the customer: the values of the events it took, each identifier once. */
    total: (customer?: string) =>
      [...events.values()].filter((e) => !customer || e.customer === customer).reduce((s, e) => s + e.value, 0),
  };
}
