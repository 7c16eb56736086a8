/**
 * `aisyst-billing stripe-emulator`: the local Stripe emulator on its own, for manual testing or another
 * project's test suite. Runs until SIGINT/SIGTERM, then closes cleanly (state file flushed).
 */
import type { Command } from '../command.ts';
import { jsonLogger } from '../../ports/logger.ts';

const HELP = `aisyst-billing stripe-emulator — a stateful local Stripe (billing subset) for the official SDK

usage: aisyst-billing stripe-emulator [--port N] [--host H] [--state FILE] [--webhook-secret whsec_…] [--quiet]

  --port N               port to listen on (default 12111; 0 = any free port)
  --host H               interface to bind (default 127.0.0.1)
  --state FILE           keep state in FILE (JSON): loaded at start, saved on change and at exit
  --webhook-secret S     sign every webhook endpoint's deliveries with S (default: a fresh whsec_ per endpoint;
                         env STRIPE_WEBHOOK_SECRET is used when the flag is absent)
  --quiet                no request log

Point the SDK at it:
  new Stripe('sk_test_anything', { host: '127.0.0.1', port: 12111, protocol: 'http' })

Emulator-only helper: POST /v1/test_helpers/checkout/sessions/{id}/complete  payment_method=pm_card_visa
(| pm_card_chargeDeclined | pm_card_chargeCustomerFail) does what the hosted Checkout page does.`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

export const command: Command = {
  name: 'stripe-emulator',
  summary: 'run the local Stripe emulator on its own [--port N]',
  help: HELP,
  async run(args, env) {
    const portText = flag(args, '--port') ?? '12111';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`stripe-emulator: --port must be a port number, got '${portText}'\n\n${HELP}`);
      return 2;
    }
    const webhookSecret = flag(args, '--webhook-secret') ?? (env.STRIPE_WEBHOOK_SECRET || undefined);
    if (webhookSecret !== undefined && !webhookSecret.startsWith('whsec_')) {
      console.error('stripe-emulator: --webhook-secret must start with whsec_');
      return 2;
    }
    const { startStripeEmulator } = await import('../../emulator/index.ts');
    const logger = args.includes('--quiet') ? undefined : jsonLogger((l) => process.stderr.write(l + '\n'), { service: 'stripe-emulator' });
    const emulator = await startStripeEmulator({ port, host: flag(args, '--host') ?? '127.0.0.1', stateFile: flag(args, '--state'), webhookSecret, logger });
    console.log(`Stripe emulator listening on ${emulator.url}
  SDK:   new Stripe('sk_test_anything', { host: '${emulator.host}', port: ${emulator.port}, protocol: 'http' })
  curl:  curl ${emulator.url}/v1/customers -u sk_test_anything:
Press Ctrl+C to stop.`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await emulator.close();
    console.log('Stripe emulator stopped.');
    return 0;
  },
};
