/**
 * The emulator on its own thread, as the local stack starts it: from one bundled file named by the hash of the
 * emulator's sources (the fast start), or through tsx (the fallback); either way a thread the SDK talks to.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripeEmulatorThread } from '../src/thread/start-in-thread.ts';
import { type ThreadEntry, threadEntry, tsxEntry } from '../src/thread/thread-entry.ts';

async function customersThrough(start: ThreadEntry): Promise<string[]> {
  const emulator = await startStripeEmulatorThread({ port: 0 }, start);
  try {
    const stripe = new Stripe('sk_test_thread', {
      host: emulator.host,
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await stripe.customers.create({ email: 'thread@example.com' });
    return (await stripe.customers.list()).data.map((c) => c.email ?? '');
  } finally {
    await emulator.close();
  }
}

describe('the emulator thread', () => {
  it('starts from a bundle named by its sources, built once', async () => {
    const start = await threadEntry();
    expect(start.kind).toBe('bundle'); // never silently the slow path
    expect(start.url.pathname).toMatch(/\/node_modules\/\.cache\/aisyst-stripe-emulator\/thread-[0-9a-f]{16}\.mjs$/);
    expect(await threadEntry()).toBe(start);
    // One file: the emulator's own modules are inside, stripe and Node's built-ins are imported.
    const code = readFileSync(fileURLToPath(start.url), 'utf8');
    expect(code).not.toMatch(/from ["']\.{1,2}\//);
    expect(code).toMatch(/from ["']stripe["']/);
    expect(await customersThrough(start)).toEqual(['thread@example.com']);
  });

  it('still starts through tsx, the fallback when no bundle can be built', async () => {
    expect(await customersThrough(tsxEntry())).toEqual(['thread@example.com']);
  });
});
