/** What a delivery pass may be tuned with, its defaults, and what it counts (src/usecases/deliver-usage.ts). */
export interface DeliveryOptions {
  /** Most calls in one batch (one meter event). */
  batchSize?: number;
  /** How long a claimed batch stays hidden from other deliverers; raised if it could not cover even one row. */
  leaseSeconds?: number;
  /** Organisations served in parallel within a pass. */
  concurrency?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  random?: () => number;
}

export type DeliverySettings = Required<Omit<DeliveryOptions, 'random'>> & Pick<DeliveryOptions, 'random'>;

export const DELIVERY_DEFAULTS = { batchSize: 1_000, leaseSeconds: 300, concurrency: 4, timeoutMs: 20_000 } as const;

/** Calls due across customers from which a drain pass uses the v2 meter event stream (METER_STREAM_THRESHOLD). */
export { DEFAULT_METER_STREAM_THRESHOLD } from '../../config/parse-config.ts';

/** Organisations a drain pass lists at a time. */
export const ORGANISATIONS_PER_PASS = 50;

/** The inline attempt after report-usage answered keeps its requests short. */
export const INLINE_TIMEOUT_MS = 3_000;

export type Tally = { sent: number; failed: number };

export const addTally = (into: Tally, more: Tally): void => {
  into.sent += more.sent;
  into.failed += more.failed;
};

/** One drain pass (or one inline attempt): whether its loud log of a configuration error is done. */
export type Pass = { configurationErrorLogged: boolean };
