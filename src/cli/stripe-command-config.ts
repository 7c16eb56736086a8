/**
 * The configuration an operator command that talks to Stripe needs, or the exit code when it must not run:
 * an invalid environment (every problem listed), no Stripe to talk to, or a live key without `--live`.
 * Shared by `catalog sync` and `stripe-events replay` so that both refuse the same things the same way.
 */
import { readEnv } from '../config/dotenv.ts';
import { ConfigError, parseConfig } from '../config/parse-config.ts';
import type { Config } from '../config/types.ts';
import type { Terminal } from './terminal.ts';

export async function configForStripeCommand(
  commandName: string,
  processEnv: Record<string, string | undefined>,
  terminal: Terminal,
  options: { live: boolean; whatLiveChanges: string },
): Promise<Config | number> {
  let config: Config;
  try {
    config = parseConfig(await readEnv(terminal.cwd, processEnv));
  } catch (err) {
    if (err instanceof ConfigError) {
      terminal.err(err.message);
      return 1;
    }
    throw err;
  }
  if (config.stripe.mode === 'emulator' && !config.stripe.apiBase) {
    terminal.err(
      `aisyst-billing ${commandName}: no Stripe configured. Set STRIPE_SECRET_KEY, or STRIPE_API_BASE to a running emulator (npm start uses its own).`,
    );
    return 1;
  }
  if (config.stripe.mode === 'live' && !options.live) {
    terminal.err(
      `aisyst-billing ${commandName}: STRIPE_SECRET_KEY is a live key: ${options.whatLiveChanges} only with --live.`,
    );
    return 1;
  }
  return config;
}
