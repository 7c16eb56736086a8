/**
 * Idempotency-Key replay (docs.stripe.com/api/idempotent_requests): the first result for a key (success or a
 * 4xx error; never a 5xx) is saved with the request it answered. The same key with the same method, path and
 * params replays it (`Idempotent-Replayed: true`); with different params it is a 400 idempotency_error.
 * Keys expire after 24 hours.
 */
import { StripeApiError } from './errors.ts';

interface Saved {
  fingerprint: string;
  status: number;
  body: string;
  savedAt: number;
}

const TTL_MS = 24 * 3600 * 1000;

export class IdempotencyCache {
  private saved = new Map<string, Saved>();

  lookup(key: string, fingerprint: string): Saved | undefined {
    const hit = this.saved.get(key);
    if (!hit) return undefined;
    if (Date.now() - hit.savedAt > TTL_MS) {
      this.saved.delete(key);
      return undefined;
    }
    if (hit.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return hit;
  }

  save(key: string, fingerprint: string, status: number, body: string): void {
    if (status >= 500) return;
    this.saved.set(key, { fingerprint, status, body, savedAt: Date.now() });
  }
}
