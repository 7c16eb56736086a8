/**
 * The operator CLI as a user runs it (`node bin/aisyst-billing.mjs <command>`), in any working directory (the one
 * whose .env and .data/ it uses), its stdout and stderr collected together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/aisyst-billing.mjs', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `env` is added to a copy of this process's environment; `undefined` removes a variable. */
export function spawnCli(args: string[], env: Record<string, string | undefined>, cwd: string = REPO_ROOT): CliProcess {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: merged as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Runs the CLI to its end: the exit code and everything it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<{ code: number | null; output: string }> {
  const cli = spawnCli(args, env, cwd);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/** Waits until the output matches (the CLI exiting first is a failure that shows what it printed). */
export async function waitForOutput(cli: CliProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = cli.output().match(pattern);
    if (match) return match;
    const done = await Promise.race([cli.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]);
    if (done) {
      const last = cli.output().match(pattern);
      if (last) return last;
      throw new Error(`the CLI exited before printing ${pattern}:\n${cli.output()}`);
    }
  }
}
