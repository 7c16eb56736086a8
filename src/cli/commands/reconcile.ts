import { systemClock } from '../../ports/clock.ts';
import { formatReconciliationTable, reconciliationJson } from '../../usecases/reconcile/format-table.ts';
import { DEFAULT_SINCE_DAYS, reconcileUsage } from '../../usecases/reconcile/reconcile-usage.ts';
import type { Command } from '../command.ts';
import type { Terminal } from '../terminal.ts';
import { openCommandContext } from '../command-context.ts';
import { configForStripeCommand } from '../stripe-command-config.ts';
import { parseSince } from './stripe-events.ts';

const HELP = `usage: aisyst-billing reconcile [--since <ISO date|Nd>] [--json] [--repair] [--live]

For every billing cycle ending after --since (default: in the ${DEFAULT_SINCE_DAYS} days before its subscription's
"now", a test clock's time in test mode): the ledger's billed minutes, Stripe's meter event summary for the same
customer and window, and, once the cycle's invoice is finalised, the quantity on its metered line. Calls still pending, or sent in the last few minutes, are counted as "settling", not as drift.
Every run is stored in reconciliation_runs (one row per cycle) and printed as a table.

  --since    an ISO date or time (2026-11-01) or a number of days back (35d)
  --json     print the rows as JSON instead of a table
  --repair   fix what is safe to fix, nothing else:
             - minutes missing at Stripe: resend the calls Stripe refused and the calls sent in the last 24 h,
               with their own identifiers (Stripe rejects an identifier it holds, so nothing is counted twice);
             - a double count: cancel, by identifier, our retried calls received in the last 24 h when their
               minutes equal the excess exactly (a meter event adjustment).
             An invoice that disagrees, an event we never sent, or anything older needs a person.
  --live     required when STRIPE_SECRET_KEY is a live key

Exit status: 0 every cycle agrees (or is settling), 1 drift remains or Stripe could not be asked, 2 usage error.

Stripe: STRIPE_SECRET_KEY, or STRIPE_API_BASE (e.g. http://127.0.0.1:12111 for \`aisyst-billing stripe-emulator\`).
Database: DATABASE_URL or PGLITE_DIR (must not be in use by npm start).`;

export const command: Command = {
  name: 'reconcile',
  summary: 'reconcile [--since <date|Nd>] [--json] [--repair] [--live]: ledger ↔ Stripe meter ↔ invoices',
  help: HELP,
  async run(args, processEnv, terminal) {
    const flags = new Set<string>();
    let sinceText: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--since') sinceText = args[++i];
      else if (arg.startsWith('--since=')) sinceText = arg.slice('--since='.length);
      else if (arg === '--json' || arg === '--repair' || arg === '--live') flags.add(arg);
      else return usageError(terminal, `unknown option '${arg}'`);
    }
    const now = systemClock.now();
    const since = sinceText === undefined ? undefined : parseSince(sinceText, now);
    if (typeof since === 'string') return usageError(terminal, since);

    const config = await configForStripeCommand('reconcile', processEnv, terminal, {
      live: flags.has('--live'),
      whatLiveChanges: '--repair sends meter events',
    });
    if (typeof config === 'number') return config;
    const { ctx, close } = await openCommandContext(config, 'reconcile', terminal, { existing: true });
    try {
      const result = await reconcileUsage(ctx, { ...(since ? { since } : {}), repair: flags.has('--repair') });
      if (flags.has('--json')) {
        terminal.out(
          JSON.stringify(
            { run_id: result.runId, unresolved: result.unresolved, cycles: reconciliationJson(result.cycles) },
            null,
            2,
          ),
        );
      } else {
        terminal.out(`Reconciliation ${result.runId}: cycles ending after ${result.since.toISOString()}\n`);
        terminal.out(result.cycles.length === 0 ? 'no cycles' : formatReconciliationTable(result.cycles));
        const drift = result.cycles.filter((c) => c.status === 'drift').length;
        terminal.out(
          `\n${result.cycles.length} cycle(s), ${drift} with drift, ${result.unresolved} unresolved${flags.has('--repair') ? ' after repair' : ''}`,
        );
      }
      return result.unresolved > 0 ? 1 : 0;
    } catch (err) {
      terminal.err(`aisyst-billing reconcile: failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      await close();
    }
  },
};

function usageError(terminal: Terminal, message: string): number {
  terminal.err(`aisyst-billing reconcile: ${message}\n\n${HELP}`);
  return 2;
}
