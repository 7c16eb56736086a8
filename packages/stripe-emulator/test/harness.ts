/** Starts an emulator on a random port and points the official SDK at it, as every caller does. */
import Stripe from 'stripe';
import { afterAll, beforeAll } from 'vitest';
import { startStripeEmulator, type RunningStripeEmulator, type StripeEmulatorOptions } from '../src/index.ts';
import { createCatalog, type TestCatalog } from './catalog.ts';

export interface Harness {
  emulator: RunningStripeEmulator;
  stripe: Stripe;
}

export async function startHarness(options: StripeEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startStripeEmulator({ port: 0, ...options });
  const stripe = new Stripe('sk_test_emulator', {
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return { emulator, stripe };
}

/**
 * Gives the calling `describe` its own emulator: started before its tests, closed after them. The returned object
 * is filled in by `beforeAll`, so read its fields inside tests and hooks, never at collection time.
 */
export function useHarness(options: StripeEmulatorOptions = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(options));
  });
  afterAll(() => h.emulator.close());
  return h;
}

/** `useHarness` plus the AiSyst catalog (meter, Starter prices, setup fee) created on that emulator. */
export function useHarnessWithCatalog(): { h: Harness; catalog: TestCatalog } {
  const h = {} as Harness;
  const catalog = {} as TestCatalog;
  // One hook, so the catalog never races the emulator start whatever `sequence.hooks` says.
  beforeAll(async () => {
    Object.assign(h, await startHarness());
    Object.assign(catalog, await createCatalog(h.stripe));
  });
  afterAll(() => h.emulator.close());
  return { h, catalog };
}

export const DAY = 86_400;
/** 2027-01-01T00:00:00Z: test clocks start here so that months are calendar months. */
export const JAN_1_2027 = Date.UTC(2027, 0, 1) / 1000;
export const FEB_1_2027 = Date.UTC(2027, 1, 1) / 1000;
export const MAR_1_2027 = Date.UTC(2027, 2, 1) / 1000;

/** Advances a test clock and waits until it is `ready` again, as one does against Stripe. */
export async function advanceClock(stripe: Stripe, clockId: string, to: number): Promise<void> {
  await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: to });
  for (;;) {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    if (clock.status === 'ready') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Completes a Checkout Session the way the hosted page does, through the emulator's test helper. */
export function completeCheckout(stripe: Stripe, sessionId: string, paymentMethod: string) {
  return stripe.rawRequest('POST', `/v1/test_helpers/checkout/sessions/${sessionId}/complete`, {
    payment_method: paymentMethod,
  });
}
