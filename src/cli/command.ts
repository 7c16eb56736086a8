/** One operator command: `aisyst-billing <name> …`. Each lives in its own file under commands/. */
import type { Terminal } from './terminal.ts';

export interface Command {
  name: string;
  /** One line for `aisyst-billing --help`. */
  summary: string;
  /** Full text for `aisyst-billing <name> --help`. */
  help: string;
  /**
   * Returns the process exit code. `env` is the process environment (config is parsed from it, never read globally);
   * everything the command prints, and the directory it reads .env from, go through `terminal`.
   */
  run(args: string[], env: Record<string, string | undefined>, terminal: Terminal): Promise<number>;
}
