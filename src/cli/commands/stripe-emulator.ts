/**
 * `aisyst-billing stripe-emulator`: the local Stripe emulator on its own, for manual testing or another
 * project's test suite. Runs until SIGINT/SIGTERM, then closes cleanly (state file flushed).
 */
import type { Command } from '../command.ts';
import { jsonLogger } from '../../ports/logger.ts';

const HELP = `aisyst-billing stripe-emulator — a stateful local Stripe (billing subset) for the official SDK

usage: aisyst-billing stripe-emulator [--port N] [--host H] [--state FILE] [--webhook-secret whsec_…] [--latency-ms N]
                                     [--no-limits] [--meter-events-per-second N] [--stream-requests-per-second N]
                                     [--stream-visibility-ms N] [--quiet]

  --port N               port to listen on (default 12111; 0 = any free port)
  --host H               interface to bind (default 127.0.0.1)
  --state FILE           keep state in FILE (JSON): loaded at start, saved on change and at exit
  --webhook-secret S     sign every webhook endpoint's deliveries with S (default: a fresh whsec_ per endpoint;
                         env STRIPE_WEBHOOK_SECRET is used when the flag is absent)
  --latency-ms N         delay every answer by N ms, uniform jitter ±20 % (default 0; env STRIPE_EMULATOR_LATENCY_MS)
  --no-limits            switch off Stripe's meter-event limits, which are on by default: one in-flight
                         meter event per customer and meter (429 rate_limit), and the per-account rates below
  --meter-events-per-second N      v1 meter-event calls per second per account (default 1000; 0 = unlimited)
  --stream-requests-per-second N   v2 meter event stream requests per second per account (default 10000)
  --stream-visibility-ms N         delay before stream events count in summaries (default 1000; 0 = at once)
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

/** The numeric flags, each a whole number ≥ 0, or the first problem. */
function emulatorNumbers(args: string[], env: Record<string, string | undefined>) {
  const read = (name: string, fallback?: string): number | undefined | string => {
    const text = flag(args, name) ?? fallback;
    if (text === undefined || text.trim() === '') return undefined;
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 ? n : `${name} must be a whole number ≥ 0, got '${text}'`;
  };
  const values = {
    latencyMs: read('--latency-ms', env.STRIPE_EMULATOR_LATENCY_MS),
    meterEventsPerSecond: read('--meter-events-per-second'),
    streamRequestsPerSecond: read('--stream-requests-per-second'),
    streamVisibilityMs: read('--stream-visibility-ms'),
  };
  const problem = Object.values(values).find((v) => typeof v === 'string');
  return typeof problem === 'string' ? problem : (values as { [K in keyof typeof values]: number | undefined });
}

export const command: Command = {
  name: 'stripe-emulator',
  summary: 'run the local Stripe emulator on its own [--port N]',
  help: HELP,
  async run(args, env, terminal) {
    const portText = flag(args, '--port') ?? '12111';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      terminal.err(`stripe-emulator: --port must be a port number, got '${portText}'\n\n${HELP}`);
      return 2;
    }
    const webhookSecret = flag(args, '--webhook-secret') ?? (env.STRIPE_WEBHOOK_SECRET || undefined);
    if (webhookSecret !== undefined && !webhookSecret.startsWith('whsec_')) {
      terminal.err('stripe-emulator: --webhook-secret must start with whsec_');
      return 2;
    }
    const numbers = emulatorNumbers(args, env);
    if (typeof numbers === 'string') {
      terminal.err(`stripe-emulator: ${numbers}\n\n${HELP}`);
      return 2;
    }
    const { latencyMs, meterEventsPerSecond, streamRequestsPerSecond, streamVisibilityMs } = numbers;
    const meterEventLimits = args.includes('--no-limits')
      ? (false as const)
      : {
          ...(meterEventsPerSecond !== undefined ? { meterEventsPerSecond } : {}),
          ...(streamRequestsPerSecond !== undefined ? { streamRequestsPerSecond } : {}),
        };
    const { startStripeEmulator } = await import('@aisyst/stripe-emulator');
    const logger = args.includes('--quiet')
      ? undefined
      : jsonLogger((l) => terminal.err(l), { service: 'stripe-emulator' });
    const emulator = await startStripeEmulator({
      port,
      host: flag(args, '--host') ?? '127.0.0.1',
      stateFile: flag(args, '--state'),
      webhookSecret,
      logger,
      latencyMs,
      meterEventLimits,
      ...(streamVisibilityMs !== undefined ? { meterEventStreamVisibilityMs: streamVisibilityMs } : {}),
    });
    terminal.out(`Stripe emulator listening on ${emulator.url}
  SDK:   new Stripe('sk_test_anything', { host: '${emulator.host}', port: ${emulator.port}, protocol: 'http' })
  curl:  curl ${emulator.url}/v1/customers -u sk_test_anything:
Press Ctrl+C to stop.`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await emulator.close();
    terminal.out('Stripe emulator stopped.');
    return 0;
  },
};
