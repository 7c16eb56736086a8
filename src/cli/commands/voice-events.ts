/**
 * `aisyst-billing voice-events replay [--since <ISO date|Nd>] [--live]`: bills the voice platform events billing
 * has not settled (unattributed until an agent was linked, refused, or interrupted) — usecases/voice/replay-voice-events.ts.
 */
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';
import { systemClock } from '../../ports/clock.ts';
import { openCommandContext } from '../command-context.ts';
import { configForStripeCommand } from '../stripe-command-config.ts';
import { replayVoiceEvents } from '../../usecases/voice/replay-voice-events.ts';
import { parseSince } from './stripe-events.ts';

const HELP = `usage: aisyst-billing voice-events replay [--since <ISO date|Nd>] [--live]

The voice-webhook answers every verified platform event 2xx and keeps the calls it could not bill: unattributed
(no org_id in the call's metadata and no link: see \`aisyst-billing voice-agents link\`), failed (the ledger
refused the call, e.g. the same call_id reported with another duration) or received (interrupted). This bills
them again, as the webhook would; a call already in the ledger is not counted twice, so a re-run does nothing new.

  --since   only events received since an ISO date or time, or a number of days back (3d); default: all
  --live    required when STRIPE_SECRET_KEY is a live key

Prints one row per event with its outcome (billed, unbilled = recorded without an active subscription,
unattributed, failed) and the reason. Exits 1 if any is still unattributed or failed.

Stripe (the calls' meter events): STRIPE_SECRET_KEY, or STRIPE_API_BASE. Database: DATABASE_URL or PGLITE_DIR.`;

export const command: Command = {
  name: 'voice-events',
  summary: 'voice-events replay [--since <date|Nd>] [--live]: bill the voice calls kept unattributed or failed',
  help: HELP,
  async run(args, processEnv, terminal) {
    const [sub, ...rest] = args;
    let sinceText: string | undefined;
    let live = false;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      if (arg === '--since') sinceText = rest[++i] ?? '';
      else if (arg.startsWith('--since=')) sinceText = arg.slice('--since='.length);
      else if (arg === '--live') live = true;
      else return usageError(terminal, `unknown option '${arg}'`);
    }
    if (sub !== 'replay') return usageError(terminal, `unknown subcommand '${sub ?? ''}'`);
    const since = sinceText === undefined ? undefined : parseSince(sinceText, systemClock.now());
    if (typeof since === 'string') return usageError(terminal, since);

    const config = await configForStripeCommand('voice-events replay', processEnv, terminal, {
      live,
      whatLiveChanges: 'replaying bills real calls',
    });
    if (typeof config === 'number') return config;
    const { ctx, close } = await openCommandContext(config, 'voice-events replay', terminal, { existing: true });
    try {
      const rows = await replayVoiceEvents(ctx, since ? { since } : {});
      if (rows.length === 0) terminal.out('no voice events to replay');
      for (const r of rows)
        terminal.out(
          `${r.status.padEnd(12)} ${r.callId.padEnd(48)} ${r.platform} ${r.eventId}${r.reason ? `  (${r.reason})` : ''}`,
        );
      const open = rows.filter((r) => r.status === 'unattributed' || r.status === 'failed').length;
      terminal.out(
        `\n${rows.filter((r) => r.status === 'billed').length} billed, ${rows.filter((r) => r.status === 'unbilled').length} recorded unbilled, ${open} still unattributed or failed`,
      );
      return open > 0 ? 1 : 0;
    } catch (err) {
      terminal.err(`aisyst-billing voice-events replay: failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      await close();
    }
  },
};

function usageError(terminal: Terminal, message: string): number {
  terminal.err(`aisyst-billing voice-events: ${message}\n\n${HELP}`);
  return 2;
}
