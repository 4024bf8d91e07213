/**
 * Keys from a JWKS URL, against a real local HTTP server: cached, refetched on an unknown kid
 * (key rotation), unknown kid → 401, JWKS outage → 503 (not 401). Also the control plane's own
 * internal-aiops-v1 token, which is published through exactly such a JWKS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyResolver } from '../../src/auth/key-resolver.js';
import { loadConfig } from '../../src/config.js';
import { bearer, testApp } from '../helpers/app.js';
import { contractToken, controlPlaneToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL } from '../helpers/services.js';

let server: Server;
let jwksUrl: string;
let served: { status: number; keys: JWK[]; raw?: string };
let fetches = 0;
let k1: RsaKey;
let k2: RsaKey;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  [k1, k2] = await Promise.all([rsaKey('k1'), rsaKey('k2')]);
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(served.status, { 'content-type': 'application/json' });
    res.end(served.raw ?? JSON.stringify({ keys: served.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function jwksApp(extraEnv: Record<string, string> = {}, cooldownMs = 0): Promise<FastifyInstance> {
  const env = { NODE_ENV: 'test', JWT_JWKS_URL: jwksUrl, LOG_LEVEL: 'silent', ...extraEnv };
  const config = loadConfig(env);
  const getKey = await createKeyResolver(config.jwt.key, {
    algorithms: config.jwt.algorithms,
    jwksCacheMs: 60_000,
    jwksCooldownMs: cooldownMs,
    jwksTimeoutMs: 1000,
  });
  const app = await testApp(env, { getKey });
  apps.push(app);
  return app;
}

describe('JWKS key source', () => {
  it('verifies with the published key and caches the key set', async () => {
    served = { status: 200, keys: [k1.jwk] };
    fetches = 0;
    const app = await jwksApp();
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k1, {}, 'k1')) });
      expect(res.statusCode).toBe(200);
    }
    expect(fetches).toBe(1);
  });

  it('refetches on an unknown kid, so a rotated key is accepted', async () => {
    served = { status: 200, keys: [k1.jwk] };
    const app = await jwksApp();
    expect((await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k1, {}, 'k1')) })).statusCode).toBe(200);
    served = { status: 200, keys: [k2.jwk] }; // rotation: k1 retired, k2 published
    fetches = 0;
    const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k2, {}, 'k2')) });
    expect(res.statusCode).toBe(200);
    expect(fetches).toBe(1);
  });

  it('answers 401 unknown_key for a kid the JWKS does not have, and rate-limits refetches', async () => {
    served = { status: 200, keys: [k1.jwk] };
    const app = await jwksApp({}, 60_000);
    await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k1, {}, 'k1')) });
    fetches = 0;
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k2, {}, `bogus-${i}`)) });
      expect(res.statusCode).toBe(401);
      expect(res.json().reason).toBe('unknown_key');
    }
    expect(fetches).toBe(0); // within the cooldown no bogus kid triggers a fetch
  });

  it.each([
    ['returns 500', { status: 500, keys: [] }],
    ['returns something that is not JSON', { status: 200, keys: [], raw: '<html>' }],
  ])('answers 503 key_source_unavailable when the JWKS %s', async (_label, state) => {
    served = state;
    const app = await jwksApp();
    const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k1, {}, 'k1')) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'key_source_unavailable', statusCode: 503 });
    expect(res.headers['retry-after']).toBe('5');
  });

  it('answers 503 when the JWKS host is unreachable, and /health/ready says jwks is down', async () => {
    const env = { NODE_ENV: 'test', JWT_JWKS_URL: `${DEAD_URL.http}/jwks.json`, LOG_LEVEL: 'silent' };
    const app = await testApp(env);
    apps.push(app);
    const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await contractToken(k1, {}, 'k1')) });
    expect(res.statusCode).toBe(503);
    expect(res.json().reason).toBe('key_source_unavailable');
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'jwks', status: 'down', required: true }));
  });
});

describe('the control plane internal-aiops-v1 token', () => {
  it('is accepted when JWT_AUDIENCE names its audience, mapped to its active workspace with the configured permissions', async () => {
    served = { status: 200, keys: [k1.jwk] };
    const app = await jwksApp({
      JWT_AUDIENCE: 'hexabase-aiops,hexabase-aiops-service',
      JWT_INTERNAL_TOKEN_PERMISSIONS: 'aiops:read,aiops:analyze',
    });
    const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(await controlPlaneToken(k1, 'ws-a')) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      sub: 'user-9',
      workspace_id: 'ws-a',
      token_type: 'internal-aiops-v1',
      permissions: ['aiops:read', 'aiops:analyze'],
    });
    const other = await app.inject({ url: '/workspaces/ws-b/access', headers: bearer(await controlPlaneToken(k1, 'ws-a')) });
    expect(other.statusCode).toBe(403);
  });

  it('grants only aiops:read by default', async () => {
    served = { status: 200, keys: [k1.jwk] };
    const app = await jwksApp({ JWT_AUDIENCE: 'hexabase-aiops-service' });
    const res = await app.inject({ method: 'POST', url: '/auth/validate', headers: bearer(await controlPlaneToken(k1, 'ws-a')) });
    expect(res.json()).toMatchObject({ valid: true, permissions: ['aiops:read'], workspace_id: 'ws-a' });
  });
});
