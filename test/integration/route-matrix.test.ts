/**
 * Walks every registered route. A route without an access rule cannot even be registered; every
 * guarded route refuses a missing token (401), another workspace's token (403, admin included) and a
 * token without its scope (403 naming the scope); every public route answers without a token.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { PERMISSIONS, type Permission } from '../../src/auth/permissions.js';
import { loadConfig } from '../../src/config.js';
import type { RouteEntry } from '../../src/plugins/auth-guard.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

let key: RsaKey;
let app: FastifyInstance;
let routes: RouteEntry[];

beforeAll(async () => {
  key = await rsaKey();
  app = await testApp(testEnv(key, { AIOPS_CROSS_WORKSPACE_SUBJECTS: 'svc-reporting' }));
  routes = app.routeCatalog.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
});
afterAll(async () => app?.close());

const concrete = (url: string, ws: string) =>
  url
    .replace(':workspace_id', ws)
    .replace(/:([a-z_]+)/g, 'x1')
    .replace('*', '');
const guarded = () => routes.filter((r): r is RouteEntry & { auth: { scope: Permission } } => 'scope' in r.auth);
const request = (r: RouteEntry, ws: string, headers: Record<string, string> = {}) =>
  app.inject({ method: r.method as 'GET', url: concrete(r.url, ws), headers, ...(r.method === 'POST' ? { payload: {} } : {}) });

describe('route access matrix', () => {
  it('knows the routes and every workspace route is guarded', () => {
    expect(routes.length).toBeGreaterThan(5);
    for (const r of routes.filter((x) => x.url.startsWith('/workspaces'))) expect('scope' in r.auth, r.url).toBe(true);
    expect(guarded().length).toBeGreaterThan(0);
  });

  it('refuses to register a route that declares no access rule', async () => {
    for (const [url, config, error] of [
      ['/workspaces/:workspace_id/unguarded', {}, /declares no auth rule/],
      ['/workspaces/:workspace_id/public', { auth: { public: true } }, /must declare a scope/],
      ['/workspaces/other/:id', { auth: { scope: 'aiops:read' } }, /must start with \/workspaces\/:workspace_id/],
      ['/anything', {}, /declares no auth rule/],
    ] as const) {
      const probe = await buildApp(loadConfig(testEnv(key)), { logger: false });
      const register = async () => {
        probe.get(url, { config }, async () => 'x');
        await probe.ready();
      };
      await expect(register(), url).rejects.toThrow(error);
      await probe.close().catch(() => undefined);
    }
  });

  it('every guarded route: 401 without a token', async () => {
    for (const r of guarded()) {
      const res = await request(r, 'ws-a');
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('every guarded workspace route: 403 for a token of another workspace, for every permission set including admin', async () => {
    for (const r of guarded().filter((x) => x.url.includes(':workspace_id'))) {
      for (const perms of [...PERMISSIONS.map((p) => [p]), [...PERMISSIONS]]) {
        const token = await contractToken(key, { workspaceId: 'ws-b', permissions: perms });
        const res = await request(r, 'ws-a', bearer(token));
        expect(res.statusCode, `${r.method} ${r.url} with ${perms}`).toBe(403);
        expect(res.json().reason).toBe('workspace_mismatch');
      }
    }
  });

  it('every guarded route: 403 naming the scope when the token lacks it; admin passes the guard', async () => {
    for (const r of guarded()) {
      const without = PERMISSIONS.filter((p) => p !== r.auth.scope && p !== 'aiops:admin');
      const res = await request(r, 'ws-a', bearer(await contractToken(key, { workspaceId: 'ws-a', permissions: without })));
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json()).toMatchObject({ reason: 'missing_scope', required_scope: r.auth.scope });
      expect(res.json().message).toContain(r.auth.scope);
      const admin = await request(r, 'ws-a', bearer(await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:admin'] })));
      expect([401, 403]).not.toContain(admin.statusCode);
    }
  });

  it('every public route answers without a token', async () => {
    for (const r of routes.filter((x) => 'public' in x.auth && !x.url.includes('*') && x.method === 'GET')) {
      const res = await request(r, 'ws-a');
      expect([401, 403], `${r.method} ${r.url}`).not.toContain(res.statusCode);
    }
  });

  it('an allow-listed internal subject may read (only read) another workspace', async () => {
    const reader = await contractToken(key, { sub: 'svc-reporting', workspaceId: 'ws-ops', permissions: ['aiops:admin'] });
    const res = await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(reader) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ workspace_id: 'ws-a', permissions: ['aiops:read'], cross_workspace_from: 'ws-ops' });
    const stranger = await contractToken(key, { sub: 'someone-else', workspaceId: 'ws-ops', permissions: ['aiops:admin'] });
    expect((await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(stranger) })).statusCode).toBe(403);
  });
});
