/**
 * Stripe's high-throughput v2 meter event stream (docs.stripe.com/api/v2/billing-meter-stream): a meter event
 * session (`stripe.v2.billing.meterEventSession.create`, secret key) hands out an authentication token valid for
 * 15 minutes; `stripe.v2.billing.meterEventStream.create` then takes up to 100 events a request, authenticated by
 * that token (passed as the request's `apiKey`; the SDK sends it to meter-events.stripe.com, or to the client's
 * host when one is set, e.g. the emulator). The token is reused until it is about to expire, and renewed once on a
 * 401 `billing_meter_event_session_expired` (the SDK's TemporarySessionExpiredError), then the request is resent.
 * Events are validated asynchronously: a 200 means Stripe took the request, and an event it later refuses is only
 * reported in the meter's error reports, so the caller sends only events it knows to be valid (stream-delivery.ts).
 */
import type Stripe from 'stripe';
import type { AppContext } from '../context.ts';

/** One event of a stream request, as the SDK types it. */
export type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];

/** At most this many events per stream request (docs.stripe.com/api/v2/billing-meter-stream/create). */
export const STREAM_MAX_EVENTS = 100;
/** Renew a session this long before Stripe says it expires, so a request never leaves with a dying token. */
const RENEW_BEFORE_MS = 60_000;

type Session = { token: string; expiresAtMs: number };
/** The current session per Stripe client (one per app context). */
const sessionsByClient = new WeakMap<object, Promise<Session>>();

function session(ctx: AppContext, timeoutMs: number, renew: boolean): Promise<Session> {
  const cached = sessionsByClient.get(ctx.stripe);
  if (cached && !renew) {
    return cached.then((s) =>
      s.expiresAtMs - RENEW_BEFORE_MS > ctx.clock.now().getTime() ? s : session(ctx, timeoutMs, true),
    );
  }
  const created = ctx.stripe.v2.billing.meterEventSession
    .create({}, { timeout: timeoutMs, maxNetworkRetries: 0 })
    .then((s) => ({ token: s.authentication_token, expiresAtMs: Date.parse(s.expires_at) }));
  sessionsByClient.set(ctx.stripe, created);
  created.catch(() => {
    if (sessionsByClient.get(ctx.stripe) === created) sessionsByClient.delete(ctx.stripe);
  });
  return created;
}

export const isSessionExpired = (error: unknown): boolean => {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { type?: string; code?: string };
  return e.type === 'TemporarySessionExpiredError' || e.code === 'billing_meter_event_session_expired';
};

/** Sends one stream request of at most STREAM_MAX_EVENTS events; throws what the SDK threw. */
export async function sendStreamRequest(ctx: AppContext, events: StreamEvent[], timeoutMs: number): Promise<void> {
  const send = async (renew: boolean) => {
    const { token } = await session(ctx, timeoutMs, renew);
    await ctx.stripe.v2.billing.meterEventStream.create(
      { events },
      { apiKey: token, timeout: timeoutMs, maxNetworkRetries: 0 },
    );
  };
  try {
    await send(false);
  } catch (error) {
    if (!isSessionExpired(error)) throw error;
    await send(true);
  }
}
