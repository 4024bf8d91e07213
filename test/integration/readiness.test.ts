/** /health and /health/ready against the real Redis and PostgreSQL, and against dead addresses. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testEnv } from '../helpers/app.js';
import { rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, services } from '../helpers/services.js';

let key: RsaKey;
let prometheus: Server;
let prometheusUrl: string;

beforeAll(async () => {
  key = await rsaKey();
  // A stand-in that answers Prometheus's readiness endpoint; the metrics issue tests the real one.
  prometheus = createServer((req, res) => {
    res.writeHead(req.url === '/-/ready' ? 200 : 404);
    res.end('Prometheus Server is Ready.\n');
  });
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => prometheus.close(() => resolve())));

describe('health', () => {
  it('liveness is cheap and needs no token', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: DEAD_URL.redis }));
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
    await app.close();
  });

  it('ready when every configured dependency answers, with latencies; unconfigured ones are listed', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, PROMETHEUS_URL: prometheusUrl }));
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    for (const name of ['redis', 'postgres', 'prometheus']) {
      expect(body.dependencies).toContainEqual(expect.objectContaining({ name, status: 'ok', required: true, latency_ms: expect.any(Number) }));
    }
    expect(body.dependencies).toContainEqual({ name: 'clickhouse', status: 'not_configured', required: false });
    await app.close();
  });

  it('503 not_ready when a required dependency is down, naming it', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: services.redisUrl, DATABASE_URL: DEAD_URL.postgres }));
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('not_ready');
    expect(body.dependencies).toContainEqual(expect.objectContaining({ name: 'postgres', status: 'down', error: expect.stringMatching(/ECONNREFUSED/) }));
    expect(body.dependencies).toContainEqual(expect.objectContaining({ name: 'redis', status: 'ok' }));
    await app.close();
  });

  it('200 degraded when only an optional dependency (Ollama) is down', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: services.redisUrl, OLLAMA_BASE_URL: DEAD_URL.http }));
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('degraded');
    expect(res.json().dependencies).toContainEqual(expect.objectContaining({ name: 'ollama', status: 'down', required: false }));
    await app.close();
  });

  it('a dead Redis is reported down within the probe timeout', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: DEAD_URL.redis }));
    const started = Date.now();
    const res = await app.inject({ url: '/health/ready' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.statusCode).toBe(503);
    expect(res.json().dependencies).toContainEqual(expect.objectContaining({ name: 'redis', status: 'down' }));
    await app.close();
  });
});
