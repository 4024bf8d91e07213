/** The HTTP surface: error shape, validation paths, limits, headers, request ids, log redaction, docs, metrics. */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_REDACT_PATHS } from '../../src/wiring/http-server.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

let key: RsaKey;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  key = await rsaKey();
  app = await testApp(testEnv(key, { BODY_LIMIT_BYTES: '2048' }));
  token = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
});
afterAll(async () => app?.close());

const expectErrorShape = (body: Record<string, unknown>, statusCode: number) => {
  expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), statusCode, requestId: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/);
};

describe('errors', () => {
  it('malformed JSON → 400 with a message', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/validate',
      headers: { 'content-type': 'application/json' },
      payload: '{"token": ',
    });
    expect(res.statusCode).toBe(400);
    expectErrorShape(res.json(), 400);
  });

  it('schema violations → 400 with field paths', async () => {
    const res = await app.inject({ method: 'POST', url: '/auth/validate', payload: { token: 5, extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expectErrorShape(body, 400);
    expect(body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.token']));
    expect(body.message).toContain('body.token');
  });

  it('path parameter violations → 400 naming the parameter', async () => {
    const res = await app.inject({ url: `/workspaces/${encodeURIComponent('ws a"}')}/access`, headers: bearer(token) });
    expect(res.statusCode).toBe(403); // the guard runs first: a mismatching workspace never reaches validation
  });

  it('a body over the limit → 413', async () => {
    const res = await app.inject({ method: 'POST', url: '/auth/validate', payload: { token: 'x'.repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expectErrorShape(res.json(), 413);
  });

  it('unknown route → 404 JSON', async () => {
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expectErrorShape(res.json(), 404);
  });
});

describe('headers and request ids', () => {
  it('sets security headers and no CORS headers by default', async () => {
    const res = await app.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    // helmet's defaults, computed once at start (src/plugins/security.ts), without upgrade-insecure-requests
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only configured CORS origins', async () => {
    const corsApp = await testApp(testEnv(key, { CORS_ORIGINS: 'https://console.example' }));
    const ok = await corsApp.inject({ url: '/health', headers: { origin: 'https://console.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://console.example');
    const bad = await corsApp.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
    await corsApp.close();
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const good = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(good.headers['x-request-id']).toBe('abc-123');
    const bad = await app.inject({ url: '/nope', headers: { 'x-request-id': 'bad id\u0000<script>' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.json().requestId).toBe(bad.headers['x-request-id']);
  });

  it('refuses two Authorization headers on the wire (Node would silently keep one)', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `GET /workspaces/ws-a/access HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 401/);
    expect(raw).toContain('"reason":"multiple_tokens"');
  });
});

describe('POST /auth/validate', () => {
  it('validates a token from the header or the body', async () => {
    for (const res of [
      await app.inject({ method: 'POST', url: '/auth/validate', headers: bearer(token) }),
      await app.inject({ method: 'POST', url: '/auth/validate', payload: { token } }),
    ]) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        valid: true,
        sub: 'user-1',
        workspace_id: 'ws-a',
        permissions: ['aiops:read'],
        plan_type: 'shared',
      });
      expect(Date.parse(res.json().expires_at)).toBeGreaterThan(Date.now());
    }
  });

  it('answers 401 {valid:false, reason} for a bad token, a missing one, or two', async () => {
    const bad = await app.inject({ method: 'POST', url: '/auth/validate', payload: { token: `${token}x` } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ valid: false, reason: 'invalid_signature' });
    const none = await app.inject({ method: 'POST', url: '/auth/validate' });
    expect(none.json()).toMatchObject({ valid: false, reason: 'missing_token' });
    const both = await app.inject({ method: 'POST', url: '/auth/validate', headers: bearer(token), payload: { token } });
    expect(both.json()).toMatchObject({ valid: false, reason: 'multiple_tokens' });
  });
});

describe('logs', () => {
  it('never contain the bearer token, even on failures', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => void (lines.push(chunk.toString()), cb()) });
    const logged = await testApp(testEnv(key), {
      logger: { level: 'trace', stream, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } },
    });
    await logged.inject({ url: '/workspaces/ws-a/access', headers: bearer(token) });
    await logged.inject({ url: '/workspaces/ws-b/access', headers: bearer(token) });
    await logged.inject({ method: 'POST', url: '/auth/validate', payload: { token } });
    await logged.inject({ method: 'POST', url: '/auth/validate', payload: { token: `${token}x` } });
    await logged.close();
    const text = lines.join('');
    expect(text.length).toBeGreaterThan(100);
    expect(text).not.toContain(token.split('.')[2]!);
    expect(text).not.toContain(token.split('.')[1]!);
  });
});

describe('docs and metrics', () => {
  it('serves an OpenAPI document generated from the route schemas', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const access = doc.paths['/workspaces/{workspace_id}/access'].get;
    expect(access.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(access.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    expect(doc.paths['/auth/validate'].post.requestBody).toBeDefined();
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('redirects the docs index page to the docs root, with or without a query string (no loop, no echoed query)', async () => {
    for (const url of ['/docs/static/index.html', `/docs/static/index.html?q=${'x'.repeat(12_000)}`]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url.slice(0, 40)).toBe(302);
      expect(res.headers.location).toBe('/docs/');
    }
  });

  it('exposes request durations by route template and status', async () => {
    await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(token) });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/workspaces\/:workspace_id\/access",status_code="200"\} [1-9]/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
