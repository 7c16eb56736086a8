/** autocannon, typed for what the benchmarks read of its result. */
// @ts-expect-error autocannon ships no type declarations; the shape used here is declared below.
import autocannonUntyped from 'autocannon';

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export const autocannon = autocannonUntyped as (options: Record<string, unknown>) => Promise<AutocannonResult>;
