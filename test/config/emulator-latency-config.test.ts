/** STRIPE_EMULATOR_LATENCY_MS: parsed for the local stack's emulator, documented in .env.example. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse-config.ts';

describe('STRIPE_EMULATOR_LATENCY_MS', () => {
  it('is a whole number of milliseconds, absent by default', () => {
    expect(parseConfig({}).stripeEmulatorLatencyMs).toBeUndefined();
    expect(parseConfig({ STRIPE_EMULATOR_LATENCY_MS: '150' }).stripeEmulatorLatencyMs).toBe(150);
    expect(() => parseConfig({ STRIPE_EMULATOR_LATENCY_MS: '1.5' })).toThrow(/STRIPE_EMULATOR_LATENCY_MS/);
    expect(() => parseConfig({ STRIPE_EMULATOR_LATENCY_MS: '-1' })).toThrow(/STRIPE_EMULATOR_LATENCY_MS/);
  });

  it('is documented in .env.example', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    expect(text).toMatch(/^#STRIPE_EMULATOR_LATENCY_MS=/m);
  });
});
