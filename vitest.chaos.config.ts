import { defineConfig } from 'vitest/config';

/** `npm run chaos`: the fault matrix (test/chaos/), one file, its phases in order, with long timeouts. */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
