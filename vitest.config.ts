import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    globalSetup: ['./packages/testkit/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // In CI a JSON report beside the usual output, from which .ci/run prints the plain totals line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/vitest-report.json' }]] : ['default'],
    // Two cores here: run files in parallel but keep it bounded.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
