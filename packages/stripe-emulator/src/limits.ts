/**
 * Stripe's documented meter-event limits, enforced so that a benchmark against the emulator means something.
 * - v1 `POST /v1/billing/meter_events`: "1000 calls per second in live mode, and one concurrent call per customer
 *   per meter" (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api#rate-limits,
 *   docs.stripe.com/rate-limits).
 * - v2 meter event stream: up to 10,000 requests per second in live mode
 *   (docs.stripe.com/api/v2/billing/meter-event-stream/create).
 * - Test mode: "calls to the meter event and meter event stream endpoint count toward the basic limit" (25 requests
 *   per second in a sandbox, shared with every other call). The emulator does not model the basic limiter, so by
 *   default a test key gets the live-mode meter-event rates; `testModePerSecond` applies one shared bucket instead.
 * A refused call is a 429 and is not processed (nor stored under its Idempotency-Key), so a retry can succeed.
 */
import { StripeApiError } from './errors.ts';

export interface MeterEventLimitOptions {
  /** One in-flight v1 meter event per customer and meter (event_name). Default true. */
  perCustomerConcurrency?: boolean;
  /** v1 meter-event calls per second per account (token bucket). Default 1,000; 0 = unlimited. */
  meterEventsPerSecond?: number;
  /** v2 meter event stream requests per second per account (token bucket). Default 10,000; 0 = unlimited. */
  streamRequestsPerSecond?: number;
  /** Test-mode keys: one bucket shared by v1 and stream calls at this rate (Stripe's sandbox: 25). Default: off. */
  testModePerSecond?: number;
}

export type KeyMode = 'live' | 'test';

export const DEFAULT_METER_EVENT_LIMITS: Required<Omit<MeterEventLimitOptions, 'testModePerSecond'>> = {
  perCustomerConcurrency: true,
  meterEventsPerSecond: 1_000,
  streamRequestsPerSecond: 10_000,
};

/** A token bucket holding one second's worth of calls: `rate` per second, bursts up to `rate`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Stripe's 429 body: type `invalid_request_error` (docs.stripe.com/api/errors lists no other), code `rate_limit`. */
export const rateLimited = (message: string) => new StripeApiError(429, 'invalid_request_error', message, 'rate_limit');

const ACCOUNT_MESSAGE =
  'Request rate limit exceeded. You can learn more about rate limits here https://docs.stripe.com/rate-limits.';

export class MeterEventLimits {
  private readonly inFlight = new Set<string>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly o: MeterEventLimitOptions & typeof DEFAULT_METER_EVENT_LIMITS;

  constructor(options: MeterEventLimitOptions | false | undefined) {
    this.o =
      options === false
        ? { perCustomerConcurrency: false, meterEventsPerSecond: 0, streamRequestsPerSecond: 0 }
        : { ...DEFAULT_METER_EVENT_LIMITS, ...options };
  }

  /**
   * Admits one v1 meter-event call or throws the 429. The returned release ends the call's time in flight
   * (the server calls it once the answer, latency included, is written).
   */
  admitMeterEvent(mode: KeyMode, customer: string | undefined, eventName: string | undefined): () => void {
    this.takeToken(mode, 'meter_events', this.o.meterEventsPerSecond);
    if (!this.o.perCustomerConcurrency || !customer || !eventName) return () => {};
    const key = `${mode} ${eventName} ${customer}`;
    if (this.inFlight.has(key)) {
      throw rateLimited(
        `A meter event for customer ${customer} and event_name \`${eventName}\` is already being processed: Stripe allows one concurrent meter event request per customer per meter. Retry after it completes.`,
      );
    }
    this.inFlight.add(key);
    return () => this.inFlight.delete(key);
  }

  /** Admits one meter event stream request or throws the 429 (the v2 shape is made by the caller). */
  admitStream(mode: KeyMode): void {
    this.takeToken(mode, 'stream', this.o.streamRequestsPerSecond);
  }

  private takeToken(mode: KeyMode, kind: 'meter_events' | 'stream', livePerSecond: number): void {
    const shared = mode === 'test' && this.o.testModePerSecond !== undefined && this.o.testModePerSecond > 0;
    const rate = shared ? (this.o.testModePerSecond as number) : livePerSecond;
    if (!(rate > 0)) return;
    const name = shared ? 'test shared' : `${mode} ${kind}`;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new TokenBucket(rate);
      this.buckets.set(name, bucket);
    }
    if (!bucket.take()) throw rateLimited(ACCOUNT_MESSAGE);
  }
}
