/**
 * `POST /v1/chat` as the Hexabase control plane's chat proxy calls it: the real app verifying a
 * control-plane-shaped internal-aiops-v1 token (RS256, 10 s, `active_workspace_id`) from a local JWKS
 * server, the workspace in `?workspace_id=`, `{message}` → `{reply, user_id, workspace_id, thread_id}`
 * through the same chat graph (deterministic mode, scenario data). The query's workspace must be the
 * token's; the contract token works too; a thread continues.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyResolver } from '../../src/auth/key-resolver.js';
import { loadConfig } from '../../src/config.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, controlPlaneToken, rsaKey, type RsaKey } from '../helpers/keys.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let jwks: Server;
let key: RsaKey;
let app: FastifyInstance;

beforeAll(async () => {
  key = await rsaKey('cp-1');
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [key.jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const env = {
    ...testEnv(key, { JWT_AUDIENCE: 'hexabase-aiops,hexabase-aiops-service' }),
    JWT_PUBLIC_KEY: '',
    JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
  };
  const config = loadConfig(env);
  const getKey = await createKeyResolver(config.jwt.key, {
    algorithms: config.jwt.algorithms,
    jwksCacheMs: 60_000,
    jwksCooldownMs: 0,
    jwksTimeoutMs: 1000,
  });
  const metrics = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace('ws-a', ['memory_leak']), scenarioWorkspace('ws-b', [])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  app = await testApp(env, { getKey, metricsSource: metrics, now: () => NOW });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => jwks.close(() => resolve()));
});

const post = async (query: string, token: string, payload: unknown) =>
  app.inject({ method: 'POST', url: `/v1/chat${query}`, headers: bearer(token), payload: payload as Record<string, unknown> });

describe('POST /v1/chat (the control plane proxy contract)', () => {
  it("answers the proxy's internal token with {reply, user_id, workspace_id, thread_id}, and the thread continues", async () => {
    const res = await post('?workspace_id=ws-a', await controlPlaneToken(key, 'ws-a'), { message: 'what alerts are firing?' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ reply: string; user_id: string; workspace_id: string; thread_id: string }>();
    expect(body).toMatchObject({ user_id: 'user-9', workspace_id: 'ws-a' });
    expect(body.reply.length).toBeGreaterThan(20);
    expect(body.thread_id).toMatch(/^[0-9a-f-]{36}$/);

    const next = await post('?workspace_id=ws-a', await controlPlaneToken(key, 'ws-a'), {
      message: 'give me an overview',
      thread_id: body.thread_id,
    });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json<{ thread_id: string }>().thread_id).toBe(body.thread_id);
    const thread = await app.inject({
      url: `/workspaces/ws-a/chat/threads/${body.thread_id}`,
      headers: bearer(await controlPlaneToken(key, 'ws-a')),
    });
    expect(thread.json<{ messages: unknown[] }>().messages).toHaveLength(4);
  });

  it("refuses a workspace_id that is not the token's (403), and a missing or repeated one (400)", async () => {
    const other = await post('?workspace_id=ws-b', await controlPlaneToken(key, 'ws-a'), { message: 'hello' });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ reason: 'workspace_mismatch' });
    const missing = await post('', await controlPlaneToken(key, 'ws-a'), { message: 'hello' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ message: string }>().message).toMatch(/workspace_id/);
    const twice = await post('?workspace_id=ws-a&workspace_id=ws-b', await controlPlaneToken(key, 'ws-a'), { message: 'hello' });
    expect(twice.statusCode).toBe(400);
  });

  it('accepts the contract token too, and refuses bad input and missing tokens with clear errors', async () => {
    const contract = await contractToken(key, { workspaceId: 'ws-b', permissions: ['aiops:read'], sub: 'bob' }, 'cp-1');
    const ok = await post('?workspace_id=ws-b', contract, { message: 'give me an overview' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ user_id: 'bob', workspace_id: 'ws-b' });
    expect((await post('?workspace_id=ws-b', contract, { message: '   ' })).json<{ message: string }>().message).toMatch(
      /message must not be empty/,
    );
    const none = await app.inject({ method: 'POST', url: '/v1/chat?workspace_id=ws-a', payload: { message: 'hi' } });
    expect(none.statusCode).toBe(401);
  });
});
