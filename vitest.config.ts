import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**', 'agents/**', 'tools/**', 'evals/**'],
      reporter: ['text-summary', 'html', 'json-summary'],
    },
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      // The fault matrix (test/chaos/, `npm run chaos`): after the suite, alone, so its recovery times measure the service, not the suite's load.
      {
        extends: true,
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.chaos.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
