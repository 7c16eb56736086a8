/**
 * Where an operator command writes and which directory it works in: the process's own stdout, stderr and working
 * directory when run as `aisyst-billing`, or a caller's (a test running the command in its own process).
 */
export interface Terminal {
  /** The command's answer: one line or block, on stdout. */
  out(text: string): void;
  /** Usage errors, failures and JSON log lines: one line or block, on stderr. */
  err(text: string): void;
  /** The working directory: where .env is read and .data/ is kept. */
  readonly cwd: string;
}

export const processTerminal: Terminal = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  get cwd() {
    return process.cwd();
  },
};
