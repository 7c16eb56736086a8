/**
 * Webhook deliveries: each event goes to every enabled endpoint whose `enabled_events` names it (or `*`),
 * POSTed as JSON with a fresh `Stripe-Signature`. Any 2xx is success; anything else (a redirect included) or a
 * network error is retried on `webhookRetryScheduleMs` (Stripe retries for up to 3 days with exponential
 * backoff: docs.stripe.com/webhooks#retries; compressed here). Deliveries run concurrently, so, as with
 * Stripe, there is no ordering guarantee.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import type { Obj } from '../store.ts';
import { signatureHeader } from './sign.ts';

export class WebhookDispatcher {
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(private emu: Emu) {}

  endpointsFor(type: string): Obj[] {
    return this.emu.store
      .all('webhook_endpoint')
      .filter((e) => e.status === 'enabled' && (e.enabled_events as string[]).some((x) => x === '*' || x === type));
  }

  dispatch(event: Stripe.Event): void {
    for (const endpoint of this.endpointsFor(event.type)) {
      const payload = JSON.stringify({ ...event, api_version: endpoint.api_version ?? event.api_version }, null, 2);
      void this.emu.track(this.deliver(endpoint, event.id, payload, 0));
    }
  }

  private async deliver(endpoint: Obj, eventId: string, payload: string, attempt: number): Promise<void> {
    if (this.closed) return;
    const secret = this.emu.store.state.secrets[endpoint.id] ?? '';
    let outcome: string;
    try {
      const res = await fetch(endpoint.url as string, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': await signatureHeader(payload, secret),
        },
        body: payload,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        this.settled(eventId);
        this.emu.logger.info('webhook delivered', {
          event: eventId,
          endpoint: endpoint.id,
          status: res.status,
          attempt,
        });
        return;
      }
      outcome = `status ${res.status}`;
    } catch (err) {
      outcome = `network error: ${(err as Error).message}`;
    }
    const delay = this.emu.options.webhookRetryScheduleMs[attempt];
    this.emu.logger.warn('webhook delivery failed', {
      event: eventId,
      endpoint: endpoint.id,
      outcome,
      attempt,
      retry_in_ms: delay ?? null,
    });
    if (delay === undefined || this.closed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, delay);
      this.timers.add(t);
    });
    await this.deliver(endpoint, eventId, payload, attempt + 1);
  }

  /** `pending_webhooks` counts the endpoints that have not yet answered 2xx (docs.stripe.com/api/events/object). */
  private settled(eventId: string): void {
    const event = this.emu.store.get('event', eventId);
    if (!event || !(event.pending_webhooks > 0)) return;
    event.pending_webhooks -= 1;
    this.emu.store.changed();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
