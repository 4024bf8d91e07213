import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the real services of the test run are. `scripts/test-services.sh` (run by `npm test`)
 * reuses a listening server, starts an installed one on a private port, or installs it, then
 * exports these variables. Tests never skip when a service is absent: they fail.
 */
export const services = {
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  /** A real Prometheus backfilled with workspaces ws-a (memory leak, PVC filling), ws-b (CPU saturation, egress spike), ws-c (healthy). */
  prometheusUrl: process.env.TEST_PROMETHEUS_URL ?? 'http://127.0.0.1:19090',
};

/** The time window of the backfilled Prometheus data (Unix ms). */
export function prometheusWindow(): { startMs: number; endMs: number; stepMs: number } {
  // Set by scripts/test-services.sh; the file it writes lets a single test file run after `npm test` brought services up.
  const file = path.resolve(import.meta.dirname, '../../.tmp/services/prometheus/window.json');
  const raw = process.env.TEST_PROMETHEUS_WINDOW ?? (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  if (!raw)
    throw new Error('TEST_PROMETHEUS_WINDOW is not set: run the suite with `npm test` (scripts/test-services.sh backfills Prometheus)');
  return JSON.parse(raw) as { startMs: number; endMs: number; stepMs: number };
}

/**
 * Addresses where nothing listens. HTTP uses port 59, not 9: fetch refuses "bad ports" such as 9
 * outright, which would test the wrong failure.
 */
export const DEAD_URL = { redis: 'redis://127.0.0.1:9', postgres: 'postgres://postgres@127.0.0.1:9/postgres', http: 'http://127.0.0.1:59' };
