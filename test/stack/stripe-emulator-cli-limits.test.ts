/** `aisyst-billing stripe-emulator` passes its latency and limit flags to the emulator, and refuses bad numbers. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/aisyst-billing.mjs', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'stripe-emulator', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  url.catch(() => {}); // a run that is meant to fail is awaited through `exited`
  return { child, url, exited, stderr: () => err };
}

describe('stripe-emulator limit and latency flags', () => {
  it('refuses a latency or rate that is not a whole number with exit 2', async () => {
    const bad = run(['--latency-ms', 'fast']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--latency-ms must be a whole number');
    const badEnv = run([], { STRIPE_EMULATOR_LATENCY_MS: '-5' });
    expect(await badEnv.exited).toBe(2);
  });

  it('applies --meter-events-per-second to the account rate', async () => {
    const emulator = run(['--meter-events-per-second', '1']);
    try {
      const { hostname, port } = new URL(await emulator.url);
      const stripe = new Stripe('sk_test_cli', {
        host: hostname,
        port: Number(port),
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      await stripe.billing.meters.create({
        display_name: 'Minutes',
        event_name: 'minutes',
        default_aggregation: { formula: 'sum' },
      });
      const customers = await Promise.all([1, 2, 3].map(async () => (await stripe.customers.create()).id));
      const results = await Promise.allSettled(
        customers.map((c) =>
          stripe.billing.meterEvents.create({ event_name: 'minutes', payload: { stripe_customer_id: c, value: '1' } }),
        ),
      );
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.statusCode),
      ).toEqual([429, 429]);
    } finally {
      emulator.child.kill('SIGTERM');
      await emulator.exited;
    }
  });
});
