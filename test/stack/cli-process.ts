/**
 * The operator CLI as a user runs it (`node bin/aisyst-billing.mjs <command>`), in any working directory (the one
 * whose .env and .data/ it uses), its stdout and stderr collected together; or its `main` run in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { Terminal } from '../../src/cli/terminal.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/aisyst-billing.mjs', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr together, in the order they arrived. */
  output(): string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** After the exit, once every byte it wrote has been read (and no process it started holds its streams). */
  closed: Promise<number | null>;
}

/** `env` is added to a copy of this process's environment; `undefined` removes a variable. */
export function spawnCli(args: string[], env: Record<string, string | undefined>, cwd: string = REPO_ROOT): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: mergedEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const streams = { output: '', stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => {
    streams.output += d.toString();
    streams.stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    streams.output += d.toString();
    streams.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    closed,
    output: () => streams.output,
    stdout: () => streams.stdout,
    stderr: () => streams.stderr,
    exited,
  };
}

/**
 * Runs the CLI's `main` in this process, as `runCli` runs the binary (the same environment rule and working
 * directory, stdout and stderr collected together in order), without the second or two of CPU that a new Node
 * process, its TypeScript loader and its first PGlite cost. The binary's own three lines, its streams and exit
 * codes stay covered: each CLI test file still runs it with `runCli` at least once (docs/conventions.md#tests).
 */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd: string = REPO_ROOT,
): Promise<CliResult> {
  const result = { output: '', stdout: '', stderr: '' };
  const terminal: Terminal = {
    out: (text) => {
      result.output += `${text}\n`;
      result.stdout += `${text}\n`;
    },
    err: (text) => {
      result.output += `${text}\n`;
      result.stderr += `${text}\n`;
    },
    cwd,
  };
  const code = await main(args, mergedEnv(env), terminal);
  return { code, ...result };
}

/** The exit code, and what the command printed: both streams in order (`output`), and each on its own. */
export interface CliResult {
  code: number | null;
  output: string;
  stdout: string;
  stderr: string;
}

/**
 * For a test that names every variable the CLI may use: this machine's variables whose names match `names`, each
 * removed (never the developer's own keys or database).
 */
export function withoutOwn(names: RegExp): Record<string, undefined> {
  return Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => names.test(k))
      .map((k) => [k, undefined]),
  );
}

function mergedEnv(env: Record<string, string | undefined>): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as Record<string, string>;
}

/** Runs the CLI to its end: the exit code and everything it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd?: string,
): Promise<CliResult> {
  const cli = spawnCli(args, env, cwd);
  const code = await cli.closed;
  return { code, output: cli.output(), stdout: cli.stdout(), stderr: cli.stderr() };
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
