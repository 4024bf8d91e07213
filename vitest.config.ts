import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: { provider: 'v8', include: ['src/**', 'agents/**', 'tools/**', 'evals/**'], reporter: ['text-summary', 'html', 'json-summary'] },
  },
});
