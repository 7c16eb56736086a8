/** One operator command: `aisyst-billing <name> …`. Each lives in its own file under commands/. */
export interface Command {
  name: string;
  /** One line for `aisyst-billing --help`. */
  summary: string;
  /** Full text for `aisyst-billing <name> --help`. */
  help: string;
  /** Returns the process exit code. `env` is the process environment (config is parsed from it, never read globally). */
  run(args: string[], env: Record<string, string | undefined>): Promise<number>;
}
