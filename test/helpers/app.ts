/** Builds the real app on a test configuration (logs silenced unless a stream is given). */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_PLAN_LIMITS } from '../../src/limits/plan-limits.js';
import type { RsaKey } from './keys.js';

/**
 * Every plan limit raised far above what a test sends, so tests that fire many requests (in parallel
 * files, on the same workspace ids through the shared Redis) are never throttled. The limits' own
 * tests pass blank LIMITS_* to get the built-in defaults, or their own values.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  LIMITS_SHARED: Object.keys(DEFAULT_PLAN_LIMITS.shared)
    .map((k) => `${k}=1000000`)
    .join(','),
  LIMITS_DEDICATED: Object.keys(DEFAULT_PLAN_LIMITS.dedicated)
    .map((k) => `${k}=1000000`)
    .join(','),
  LIMITS_ANALYSES_PER_REPLICA: '1000',
};

export function testEnv(key: RsaKey, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    JWT_PUBLIC_KEY: key.publicPem,
    AIOPS_DATA_DIR: `/tmp/aiops-test-data/${process.pid}`,
    LOG_LEVEL: 'silent',
    // The monitoring loop evaluates in the background; tests that exercise it turn it on.
    MONITOR_ENABLED: 'false',
    // The demo events would add findings to every embedded-mode test; the tests that need events write their own.
    LOGS_DEMO_DATA: 'false',
    ...GENEROUS_LIMITS,
    ...extra,
  };
}

/** Each test process gets its own data dir unless the env names one (the audit spool and chDB take one process per dir). */
export async function testApp(env: Record<string, string>, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(
    loadConfig({
      AIOPS_DATA_DIR: `/tmp/aiops-test-data/${process.pid}`,
      MONITOR_ENABLED: 'false',
      LOGS_DEMO_DATA: 'false',
      ...GENEROUS_LIMITS,
      ...env,
    }),
    {
      logger: false,
      ...options,
    },
  );
  await app.ready();
  return app;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
