import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/config/longest-first-sequencer.ts';

// One runner for every suite. Database, emulator and browser suites start real processes,
// so they get generous timeouts; speed is measured in `npm run bench`, never asserted here.
// TEST_DATABASE_URL is checked once before the suites (its database and migrated template made if missing), and
// the run ends with a note on the suites it skipped and how to run them.
// Workers: vitest's default is one fewer than the cores, i.e. ONE on a 2-core machine, yet most files wait on
// PostgreSQL, the emulator's thread or Chromium rather than compute: as many workers as cores, at least two.
// Files run longest first, so the browser, Deno, Python and stack files do not start last: by vitest's cached
// durations, else (a clean clone) by test/config/file-durations.json (test/config/longest-first-sequencer.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Files share a worker's modules: the source, the SDK and PGlite load once per worker, not once per file (a third
    // of the suite's time). So a file must leave no global behind (docs/conventions.md#tests).
    isolate: false,
    maxWorkers: Math.max(2, availableParallelism()),
    minWorkers: 1,
    globalSetup: ['test/config/test-database-setup.ts'],
    sequence: { sequencer: LongestFirstSequencer },
    reporters: ['default', './test/config/skipped-suites-reporter.ts'],
  },
});
