/** Optional state file: a JSON dump of the whole state, written at most every 200 ms and on close. */
import { readFile, writeFile, rename } from 'node:fs/promises';
import { emptyState, type State } from './store.ts';

export async function loadState(file: string): Promise<State> {
  try {
    return { ...emptyState(), ...(JSON.parse(await readFile(file, 'utf8')) as Partial<State>) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
}

export function stateSaver(file: string) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = (state: State) => {
    writing = writing.then(async () => {
      const tmp = `${file}.tmp`;
      await writeFile(tmp, JSON.stringify(state));
      await rename(tmp, file);
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
