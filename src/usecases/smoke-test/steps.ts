/**
 * Runs named steps in order, timing each: a step returns a one-line detail or throws. After the first failure the
 * remaining steps are not run (they build on it); cleanup steps always run.
 */
import type { SmokeTestPorts, StepResult } from './types.ts';

export interface Step {
  name: string;
  run(): Promise<string>;
}

export async function runSteps(
  ports: Pick<SmokeTestPorts, 'now'>,
  steps: readonly Step[],
  onResult: (result: StepResult) => void,
  options: { continueAfterFailure?: boolean } = {},
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) {
    const started = ports.now();
    let result: StepResult;
    try {
      const detail = await step.run();
      result = { name: step.name, ok: true, ms: ports.now() - started, detail };
    } catch (error) {
      result = { name: step.name, ok: false, ms: ports.now() - started, detail: messageOf(error) };
    }
    results.push(result);
    onResult(result);
    if (!result.ok && !options.continueAfterFailure) break;
  }
  return results;
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

/** `✓ name  (1.2 s)  detail` — the line the CLI prints per step. */
export function formatStep(r: StepResult): string {
  return `${r.ok ? '✓' : '✗'} ${r.name}  (${(r.ms / 1000).toFixed(1)} s)${r.detail ? `  ${r.detail}` : ''}`;
}

/** Polls `probe` until it answers a value (not undefined) or the deadline passes; then throws `what` and the last seen. */
export async function waitFor<T>(
  ports: Pick<SmokeTestPorts, 'now' | 'sleep'>,
  timeoutMs: number,
  what: string,
  probe: () => Promise<{ value: T } | { seen: string }>,
): Promise<T> {
  const deadline = ports.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const answer = await probe();
    if ('value' in answer) return answer.value;
    if (ports.now() >= deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (last: ${answer.seen})`);
    await ports.sleep(delay);
    delay = Math.min(delay * 2, 2_000);
  }
}
