import { defineConfig } from 'vitest/config';

// One runner for every suite. Database, emulator and browser suites start real processes,
// so they get generous timeouts; speed is measured in `npm run bench`, never asserted here.
// TEST_DATABASE_URL is checked once before the suites (its database created if missing), and the run ends with
// a note on the suites it skipped and how to run them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/config/test-database-setup.ts'],
    reporters: ['default', './test/config/skipped-suites-reporter.ts'],
  },
});
