/** Builds the real app on a test configuration (logs silenced unless a stream is given). */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { RsaKey } from './keys.js';

export function testEnv(key: RsaKey, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', JWT_PUBLIC_KEY: key.publicPem, AIOPS_DATA_DIR: '/tmp/aiops-test-data', LOG_LEVEL: 'silent', ...extra };
}

export async function testApp(env: Record<string, string>, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(loadConfig(env), { logger: false, ...options });
  await app.ready();
  return app;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
