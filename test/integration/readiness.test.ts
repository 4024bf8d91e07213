/**
 * /health and /health/ready against the real Redis and PostgreSQL, and against dead addresses.
 * Readiness fails only when this replica cannot serve its core routes (no key source, shutting
 * down); a shared store being down is reported in detail (and in /metrics) while the replica stays in.
 */
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
    const app = await testApp(
      testEnv(key, { REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, PROMETHEUS_URL: prometheusUrl }),
    );
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    for (const name of ['redis', 'postgres', 'prometheus']) {
      expect(body.dependencies).toContainEqual(
        expect.objectContaining({ name, status: 'ok', required: false, latency_ms: expect.any(Number) }),
      );
    }
    expect(body.dependencies).toContainEqual({ name: 'clickhouse', status: 'not_configured', required: false });
    await app.close();
  });

  it('PostgreSQL down: 200 degraded (the replica stays in), naming it and the routes it affects; /metrics says so per dependency', async () => {
    const app = await testApp(
      testEnv(key, { REDIS_URL: services.redisUrl, DATABASE_URL: DEAD_URL.postgres, PROMETHEUS_URL: prometheusUrl }),
    );
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toBe('degraded');
    expect(body.dependencies).toContainEqual(
      expect.objectContaining({
        name: 'postgres',
        status: 'down',
        required: false,
        error: expect.stringMatching(/ECONNREFUSED/),
        impact: expect.stringMatching(/run_store_unavailable/),
      }),
    );
    expect(body.dependencies).toContainEqual(expect.objectContaining({ name: 'redis', status: 'ok' }));
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^aiops_dependency_up\{dependency="postgres"\} 0$/m);
    expect(metrics).toMatch(/^aiops_dependency_up\{dependency="redis"\} 1$/m);
    expect(metrics).toMatch(/^aiops_dependency_up\{dependency="prometheus"\} 1$/m);
    expect(metrics).not.toMatch(/aiops_dependency_up\{dependency="clickhouse"\}/); // not configured: not exported
    expect(metrics).toMatch(/^aiops_circuit_breaker_state\{dependency="redis",state="closed"\} 1$/m);
    await app.close();
  });

  it('Prometheus down: 200 degraded', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: DEAD_URL.http }));
    const res = await app.inject({ url: '/health/ready' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('degraded');
    expect(res.json().dependencies).toContainEqual(expect.objectContaining({ name: 'prometheus', status: 'down', required: false }));
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

  it('a dead Redis is reported down within the probe timeout, degraded, not unready', async () => {
    const app = await testApp(testEnv(key, { REDIS_URL: DEAD_URL.redis }));
    const started = Date.now();
    const res = await app.inject({ url: '/health/ready' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('degraded');
    expect(res.json().dependencies).toContainEqual(
      expect.objectContaining({ name: 'redis', status: 'down', impact: expect.stringMatching(/lock_store_unavailable/) }),
    );
    await app.close();
  });
});
