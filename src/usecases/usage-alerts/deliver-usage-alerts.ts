/**
 * Delivers the usage-alert outbox (supabase/migrations/20261201000900_usage_alerts.sql; README.md beside this file):
 * claim due alerts (leased, SKIP LOCKED), send each to the organisation owner's e-mail, settle it: 'sent', or back
 * to pending later with exponential backoff and jitter (usage/backoff.ts, as meter delivery) when the mail server
 * failed — an outage only delays the e-mail. Without a mailer (no SMTP_URL deployed) nothing is claimed: alerts wait.
 *
 * Run by: the inline attempt after a report that may have crossed a threshold and after a spend-cap change
 * (`deliverAlertsSoon`), the local stack's loop every second, and `POST deliver-alerts` for a scheduler.
 */
import type { AppContext } from '../context.ts';
import {
  claimDueAlerts,
  countPendingAlerts,
  markAlertRetry,
  markAlertSent,
  markAlertWithoutRecipient,
} from '../../repositories/usage-alerts.ts';
import { retryDelayMs } from '../usage/backoff.ts';
import { composeAlert } from './compose-alert.ts';

export interface AlertDrainResult {
  sent: number;
  failed: number;
  /** Alerts still waiting (not yet due, leased by another deliverer, retrying, or no mailer configured). */
  pending: number;
}

export interface AlertDeliveryOptions {
  batchSize?: number;
  leaseSeconds?: number;
  random?: () => number;
}

const DEFAULTS = { batchSize: 20, leaseSeconds: 60 } as const;

/** One pass over what is due now, and what is still waiting after it. */
export async function drainUsageAlerts(ctx: AppContext, opts: AlertDeliveryOptions = {}): Promise<AlertDrainResult> {
  const tally = await sendDueAlerts(ctx, opts);
  return { ...tally, pending: await countPendingAlerts(ctx.sql) };
}

async function sendDueAlerts(ctx: AppContext, opts: AlertDeliveryOptions): Promise<{ sent: number; failed: number }> {
  const tally = { sent: 0, failed: 0 };
  const mailer = ctx.mailer;
  if (!mailer) return tally;
  const o = { ...DEFAULTS, ...opts };
  for (;;) {
    const alerts = await claimDueAlerts(ctx.sql, { limit: o.batchSize, leaseSeconds: o.leaseSeconds });
    for (const alert of alerts) {
      if (!alert.ownerEmail) {
        await markAlertWithoutRecipient(ctx.sql, alert.id);
        continue;
      }
      try {
        await mailer.send({ to: alert.ownerEmail, ...composeAlert(alert, `${ctx.config.websiteUrl}/dashboard`) });
        await markAlertSent(ctx.sql, alert.id);
        tally.sent++;
      } catch (error) {
        // The mail server's words only: never the recipient or the credentials (SMTP_URL).
        const reason = error instanceof Error ? `${error.name}: ${(error as { code?: string }).code ?? ''}` : 'error';
        await markAlertRetry(ctx.sql, alert.id, retryDelayMs(alert.attempts, o.random), reason);
        ctx.logger.warn('usage alert not sent; it will be retried', { alert_id: alert.id, error: reason });
        tally.failed++;
      }
    }
    if (alerts.length < o.batchSize) return tally;
  }
}

/** Running passes per database, so that inline attempts coalesce into one pass (plus one more if asked meanwhile). */
const running = new WeakMap<object, { again: boolean; done: Promise<void> }>();

/** The inline attempt: a pass soon, joined with one already running. Never throws (the loop or schedule retries). */
export function deliverAlertsSoon(ctx: AppContext): Promise<void> {
  if (!ctx.mailer) return Promise.resolve();
  const current = running.get(ctx.sql);
  if (current) {
    current.again = true;
    return current.done;
  }
  const state = { again: false, done: Promise.resolve() };
  state.done = (async () => {
    try {
      do {
        state.again = false;
        await sendDueAlerts(ctx, {});
      } while (state.again);
    } catch (error) {
      ctx.logger.warn('inline usage-alert delivery failed; the deliverer will retry', { error: String(error) });
    } finally {
      running.delete(ctx.sql);
    }
  })();
  running.set(ctx.sql, state);
  return state.done;
}

/** The local stack's background deliverer: a pass every `intervalMs` until stopped. */
export function startUsageAlertDeliverer(ctx: AppContext, intervalMs = 1_000): { stop(): Promise<void> } {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pass: Promise<void> = Promise.resolve();
  const tick = () => {
    pass = deliverAlertsSoon(ctx).finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
