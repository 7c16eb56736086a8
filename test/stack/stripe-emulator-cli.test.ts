/** Running the emulator: the CLI command prints where it listens and stops cleanly; state survives a restart. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/ports/logger.ts';
import { startHarness } from '@aisyst/stripe-emulator/testing';

const BIN = fileURLToPath(new URL('../../bin/aisyst-billing.mjs', import.meta.url));

describe('operating the emulator', () => {
  it('keeps its state in the state file across a restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'emu-')), 'state.json');
    const first = await startHarness({ stateFile });
    const customer = await first.stripe.customers.create({ email: 'kept@x.test' });
    await first.emulator.close();
    const second = await startHarness({ stateFile });
    expect(((await second.stripe.customers.retrieve(customer.id)) as Stripe.Customer).email).toBe('kept@x.test');
    await second.emulator.close();
  });

  it('logs one line per request without keys or card numbers', async () => {
    const logger = memoryLogger();
    const { emulator, stripe } = await startHarness({ logger });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'http://x.test',
      line_items: [
        {
          price: (await stripe.prices.create({ currency: 'eur', unit_amount: 100, product_data: { name: 'x' } })).id,
          quantity: 1,
        },
      ],
    });
    await fetch(session.url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.test&cardnumber=4242424242424242&exp=12%2F30&cvc=123',
      redirect: 'manual',
    });
    await emulator.close();
    const requests = logger.lines
      .map((l) => JSON.parse(l) as { msg: string; path?: string })
      .filter((l) => l.msg === 'request');
    expect(requests.map((r) => r.path)).toEqual(['/v1/prices', '/v1/checkout/sessions', `/c/pay/${session.id}`]);
    expect(logger.lines.join('\n')).not.toMatch(/sk_test_emulator|4242424242424242/);
  });

  it('runs as `aisyst-billing stripe-emulator`, prints how to connect and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'stripe-emulator', '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toContain("new Stripe('sk_test_anything'");
    const { port, hostname } = new URL(url);
    const stripe = new Stripe('sk_test_cli', { host: hostname, port: Number(port), protocol: 'http' });
    expect((await stripe.customers.create({ email: 'cli@x.test' })).id).toMatch(/^cus_/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
