/** Builds the real app on a test configuration (logs silenced unless a stream is given). */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { RsaKey } from './keys.js';

export function testEnv(key: RsaKey, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', JWT_PUBLIC_KEY: key.publicPem, AIOPS_DATA_DIR: `/tmp/aiops-test-data/${process.pid}`, LOG_LEVEL: 'silent', ...extra };
}

/** Each test process gets its own data dir unless the env names one (the audit spool and chDB take one process per dir). */
export async function testApp(env: Record<string, string>, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(loadConfig({ AIOPS_DATA_DIR: `/tmp/aiops-test-data/${process.pid}`, ...env }), { logger: false, ...options });
  await app.ready();
  return app;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
