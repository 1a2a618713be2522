import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Property tests walk many random fleets; keep the default timeout generous but finite.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
