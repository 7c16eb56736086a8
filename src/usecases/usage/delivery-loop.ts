/**
 * A long-lived deliverer's timer (the local stack, a worker): runs a drain pass every `intervalMs`. Passes never
 * overlap within one loop; several loops (processes) may run at once, the claim keeps them off each other's rows.
 */
import type { Logger } from '../../ports/logger.ts';
import { describeStripeError } from './stripe-errors.ts';

export interface DeliveryLoop<T> {
  stop(): Promise<void>;
  /** One pass now, after the one running (if any). */
  drainOnce(): Promise<T>;
}

export function startDeliveryLoop<T>(drain: () => Promise<T>, logger: Logger, intervalMs: number): DeliveryLoop<T> {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const drainOnce = (): Promise<T> => {
    const pass = current.then(drain);
    current = pass.catch(() => undefined);
    return pass;
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    drainOnce()
      .catch((error: unknown) => logger.error('usage delivery pass failed', { error: describeStripeError(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    drainOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
