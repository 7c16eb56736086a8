/**
 * Optional state file: a JSON dump of the whole state, written on close and, after a change, once the emulator
 * has worked 20 times as long as the last write took (at least 200 ms): however large the state grows, saving
 * it costs at most about 5 % of the emulator's time (`saveDelayMs`). Its folder is
 * created on demand (a fresh checkout has no .data/), and a failed write is logged and never rejects: the
 * emulator keeps serving from memory and the next change writes the whole state again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from './logger.ts';
import { emptyState, type State } from './store.ts';

export async function loadState(file: string): Promise<State> {
  try {
    return { ...emptyState(), ...(JSON.parse(await readFile(file, 'utf8')) as Partial<State>) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

/** How long to wait before the next write, given how long the last one took. */
export function saveDelayMs(lastWriteMs: number): number {
  return Math.max(200, Math.ceil(20 * lastWriteMs));
}

export function stateSaver(file: string, logger: Logger = silentLogger) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastWriteMs = 0;
  let writing: Promise<void> = Promise.resolve();
  // One error line per run of failures (not one per change), and one line when writing works again.
  let failing = false;
  const write = (state: State) => {
    writing = writing.then(async () => {
      const started = performance.now();
      try {
        const tmp = `${file}.tmp`;
        await mkdir(dirname(file), { recursive: true });
        await writeFile(tmp, JSON.stringify(state));
        await rename(tmp, file);
        lastWriteMs = performance.now() - started;
        if (failing) logger.info('emulator state saved again', { file });
        failing = false;
      } catch (err) {
        if (!failing)
          logger.error('could not save the emulator state; it stays in memory and the next change retries', {
            file,
            cause: String(err),
          });
        failing = true;
      }
    });
    return writing;
  };
  return {
    schedule(state: State): void {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void write(state);
      }, saveDelayMs(lastWriteMs));
      timer.unref?.();
    },
    async flush(state: State): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await write(state);
    },
  };
}
