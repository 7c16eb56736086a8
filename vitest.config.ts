import { defineConfig } from 'vitest/config';

// One runner for every suite. Database, emulator and browser suites start real processes,
// so they get generous timeouts; speed is measured in `npm run bench`, never asserted here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
