import type { Command } from './command.ts';
import { processTerminal, type Terminal } from './terminal.ts';

/** Commands load lazily so that `migrate` does not pay for the emulator, nor `--help` for anything. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: 'run the whole local stack (database, Stripe emulator, functions, pages)',
    load: async () => (await import('./commands/start.ts')).command,
  },
  migrate: {
    summary: 'apply pending database migrations (PGlite or DATABASE_URL)',
    load: async () => (await import('./commands/migrate.ts')).command,
  },
  catalog: {
    summary: 'catalog sync [--dry-run] [--live]: make a Stripe account hold the plans',
    load: async () => (await import('./commands/catalog.ts')).command,
  },
  'stripe-events': {
    summary: 'stripe-events replay --since <date|Nd> [--dry-run] [--live]: apply missed webhooks',
    load: async () => (await import('./commands/stripe-events.ts')).command,
  },
  doctor: {
    summary: 'doctor [--fix] [--live] [--json]: check (and repair) an environment before and after going live',
    load: async () => (await import('./commands/doctor.ts')).command,
  },
  'smoke-test': {
    summary: 'smoke-test [--functions-url URL]: one customer month end to end against a deployment (test mode only)',
    load: async () => (await import('./commands/smoke-test.ts')).command,
  },
  'voice-agents': {
    summary: 'voice-agents link|unlink|list: which organisation pays for a voice platform agent',
    load: async () => (await import('./commands/voice-agents.ts')).command,
  },
  'voice-events': {
    summary: 'voice-events replay [--since <date|Nd>] [--live]: bill the voice calls kept unattributed or failed',
    load: async () => (await import('./commands/voice-events.ts')).command,
  },
  reconcile: {
    summary: 'reconcile [--since <date|Nd>] [--json] [--repair] [--live]: ledger ↔ Stripe meter ↔ invoices',
    load: async () => (await import('./commands/reconcile.ts')).command,
  },
  operators: {
    summary: 'operators add|remove <email> | list: who may use the operator console at /admin',
    load: async () => (await import('./commands/operators.ts')).command,
  },
  'stripe-emulator': {
    summary: 'run the local Stripe emulator on its own [--port N]',
    load: async () => (await import('./commands/stripe-emulator.ts')).command,
  },
};

export const USAGE = `aisyst-billing — the AiSyst billing backend's operator CLI

usage: aisyst-billing <command> [options]      (aisyst-billing <command> --help for more)

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)
  .join('\n')}

Configuration comes from the environment and .env (see .env.example).`;

/** Runs one command to its exit code; `terminal` is the process's own unless a caller (a test) passes another. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  terminal: Terminal = processTerminal,
): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    terminal.out(USAGE);
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    terminal.err(`aisyst-billing: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    terminal.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, env, terminal);
  } catch (error) {
    // What a command did not expect still gets one line, never a stack trace.
    terminal.err(`aisyst-billing ${name}: ${unexpectedFailure(error)}`);
    return 1;
  }
}

/**
 * PostgreSQL's "undefined table" / "undefined function": the database was never migrated (or is behind); "invalid
 * catalog name": there is no database yet (a PGLITE_DIR without one, adapters/db/open-database.ts).
 */
const NOT_MIGRATED_CODES = new Set(['42P01', '42883', '3D000']);

function unexpectedFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (NOT_MIGRATED_CODES.has((error as { code?: unknown })?.code as string))
    return `the database is not migrated (${message}): run npx aisyst-billing migrate first`;
  return `failed: ${message}`;
}
