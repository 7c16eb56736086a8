/**
 * `aisyst-billing stripe-events replay --since <ISO date|Nd> [--dry-run] [--live]`: applies the Stripe events we
 * never processed (Stripe gives up retrying a webhook after 3 days), through the same pipeline as the webhook.
 */
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';
import { systemClock } from '../../ports/clock.ts';
import { openCommandContext } from '../command-context.ts';
import { configForStripeCommand } from '../stripe-command-config.ts';
import {
  STRIPE_EVENT_RETENTION_DAYS,
  formatReplayRows,
  replayStripeEvents,
} from '../../usecases/replay-stripe-events.ts';

const HELP = `usage: aisyst-billing stripe-events replay --since <ISO date|Nd> [--dry-run] [--live]

Stripe retries a failed webhook for 3 days, then gives up. This lists the account's events created since the
given time (Stripe keeps them ${STRIPE_EVENT_RETENTION_DAYS} days) and applies every one the database has not processed — never
received, or received but failed half way — exactly as the webhook would: the handlers re-read the subscription
from Stripe and converge its rows, so the order does not matter and a re-run does nothing new.

  --since     an ISO date or time (2026-11-20, 2026-11-20T08:00:00Z) or a number of days back (3d)
  --dry-run   show what would be applied; change nothing
  --live      required when STRIPE_SECRET_KEY is a live key

Prints one row per event: applied, already-processed, ignored (a type we do not act on), would-apply (dry run)
or failed (with the reason). Exits 1 if any event failed; run it again once the cause is fixed.

Stripe: STRIPE_SECRET_KEY, or STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for \`aisyst-billing stripe-emulator\`).
Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

/** `3d` → that many days before `now`; otherwise an ISO date/time. Returns an error text for anything else. */
export function parseSince(text: string | undefined, now: Date): Date | string {
  if (!text) return '--since is required (an ISO date or Nd, e.g. 3d)';
  const days = /^(\d+)d$/.exec(text);
  const since = days
    ? new Date(now.getTime() - Number(days[1]) * 86_400_000)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? new Date(text)
      : undefined;
  if (!since || Number.isNaN(since.getTime())) return `--since '${text}' is neither an ISO date nor Nd (e.g. 3d)`;
  if (since > now) return `--since '${text}' is in the future`;
  return since;
}

export const command: Command = {
  name: 'stripe-events',
  summary: 'stripe-events replay --since <date|Nd> [--dry-run] [--live]: apply missed webhooks',
  help: HELP,
  async run(args, processEnv, terminal) {
    const [sub, ...rest] = args;
    const flags = new Set<string>();
    let sinceText: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      if (arg === '--since') sinceText = rest[++i];
      else if (arg.startsWith('--since=')) sinceText = arg.slice('--since='.length);
      else if (arg === '--dry-run' || arg === '--live') flags.add(arg);
      else return usageError(terminal, `unknown option '${arg}'`);
    }
    if (sub !== 'replay') return usageError(terminal, `unknown subcommand '${sub ?? ''}'`);
    const now = systemClock.now();
    const since = parseSince(sinceText, now);
    if (typeof since === 'string') return usageError(terminal, since);
    const dryRun = flags.has('--dry-run');

    const config = await configForStripeCommand('stripe-events replay', processEnv, terminal, {
      live: flags.has('--live'),
      whatLiveChanges: 'replaying changes real billing rows',
    });
    if (typeof config === 'number') return config;
    if (now.getTime() - since.getTime() > STRIPE_EVENT_RETENTION_DAYS * 86_400_000) {
      terminal.err(`note: Stripe keeps events for ${STRIPE_EVENT_RETENTION_DAYS} days; older ones cannot be replayed.`);
    }

    const { ctx, close } = await openCommandContext(config, 'stripe-events replay', terminal, { existing: true });
    try {
      const { rows } = await replayStripeEvents(ctx, { since, dryRun });
      terminal.out(
        `Stripe ${config.stripe.mode}${config.stripe.apiBase ? ` at ${config.stripe.apiBase.origin}` : ''}: events since ${since.toISOString()}${dryRun ? ' — dry run, nothing changed' : ''}\n`,
      );
      terminal.out(rows.length === 0 ? 'no events' : formatReplayRows(rows));
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      const failed = count('failed');
      terminal.out(
        `\n${dryRun ? `${count('would-apply')} would be applied` : `${count('applied')} applied`}, ${count('already-processed')} already processed, ${count('ignored')} ignored, ${failed} failed`,
      );
      return failed > 0 ? 1 : 0;
    } catch (err) {
      terminal.err(`aisyst-billing stripe-events replay: failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      await close();
    }
  },
};

function usageError(terminal: Terminal, message: string): number {
  terminal.err(`aisyst-billing stripe-events: ${message}\n\n${HELP}`);
  return 2;
}
