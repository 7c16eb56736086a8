/**
 * Optional state file: a JSON dump of the whole state, written at most every 200 ms and on close. Its folder is
 * created on demand (a fresh checkout has no .data/), and a failed write is logged and never rejects: the
 * emulator keeps serving from memory and the next change writes the whole state again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { silentLogger, type Logger } from '../ports/logger.ts';
import { emptyState, type State } from './store.ts';

export async function loadState(file: string): Promise<State> {
  try {
    return { ...emptyState(), ...(JSON.parse(await readFile(file, 'utf8')) as Partial<State>) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

export function stateSaver(file: string, logger: Logger = silentLogger) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  // One error line per run of failures (not one per change), and one line when writing works again.
  let failing = false;
  const write = (state: State) => {
    writing = writing.then(async () => {
      try {
        const tmp = `${file}.tmp`;
        await mkdir(dirname(file), { recursive: true });
        await writeFile(tmp, JSON.stringify(state));
        await rename(tmp, file);
        if (failing) logger.info('emulator state saved again', { file });
        failing = false;
      } catch (err) {
        if (!failing) logger.error('could not save the emulator state; it stays in memory and the next change retries', { file, cause: String(err) });
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
      }, 200);
      timer.unref?.();
    },
    async flush(state: State): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await write(state);
    },
  };
}
