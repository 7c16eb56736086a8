/**
 * Runs the longest test files first, so that no long file starts last while the other worker sits idle.
 *
 * vitest's own sequencer does this from the durations it caches in node_modules/.vite, but a clean clone (CI) has
 * no cache, and vitest then orders by file size: short files that mostly wait on other processes (the Python
 * client's suite, the CLI stories, Chromium) would start last. So a file's duration is vitest's cached one when
 * there is one, else the one committed in ./file-durations.json (`npm run test:durations` refreshes it from the
 * last full run's cache, like pytest-split's .test_durations). A file in neither (a new one) runs first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const DURATIONS_FILE = new URL('./file-durations.json', import.meta.url);

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const committed: Record<string, number> = existsSync(DURATIONS_FILE)
      ? JSON.parse(readFileSync(DURATIONS_FILE, 'utf8'))
      : {};
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const path = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      if (cached) return cached.duration / 1000;
      return committed[path] ?? Number.POSITIVE_INFINITY;
    };
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
