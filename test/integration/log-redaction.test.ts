/**
 * Hostile input for the logs: a real JWT (or bearer credential) in a query value after `%20`, `%22` or
 * a letter, percent-encoded, in the Host header, in an error message, in a logged header object and in
 * a log message. None of its payload or signature may reach the log stream.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_REDACT_PATHS } from '../../src/wiring/http-server.js';
import { LOG_HOOKS, LOG_SERIALIZERS } from '../../src/http/log-serializers.js';
import { testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey } from '../helpers/keys.js';

let app: FastifyInstance;
let jwt: string;
const lines: string[] = [];
const everyCharEncoded = (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');

beforeAll(async () => {
  const key = await rsaKey();
  jwt = await contractToken(key, { workspaceId: 'ws-a' });
  const stream = new Writable({ write: (chunk, _e, cb) => void (lines.push(String(chunk)), cb()) });
  // The logger options of src/app.ts, writing to a stream.
  app = await testApp(testEnv(key), {
    logger: {
      level: 'trace',
      stream,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      serializers: LOG_SERIALIZERS,
      hooks: LOG_HOOKS,
    },
  });
});
afterAll(async () => app?.close());

function expectNoToken(text: string): void {
  const [, payload, signature] = jwt.split('.');
  expect(text).not.toContain(payload);
  expect(text).not.toContain(signature);
}

describe('log redaction', () => {
  it('masks a JWT anywhere in a logged URL, however it is glued or encoded', async () => {
    const queries = [
      `x=Bearer%20${jwt}`,
      `x=%22${jwt}%22`,
      `x=a${jwt}`,
      `x=Bearer+${jwt}`,
      `x=${encodeURIComponent(`"Bearer ${jwt}"`)}`,
      `x=${everyCharEncoded(jwt)}`,
      `x=${encodeURIComponent(everyCharEncoded(jwt))}`,
    ];
    lines.length = 0;
    for (const q of queries) {
      const res = await app.inject({ url: `/workspaces/ws-a/access?${q}`, headers: { authorization: `Bearer ${jwt}` } });
      expect(res.statusCode).toBe(200);
    }
    const text = lines.join('');
    expect(text).toContain('/workspaces/ws-a/access?x=');
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(queries.length);
    expectNoToken(text);
  });

  it('masks one in the Host header', async () => {
    lines.length = 0;
    await app.inject({ url: '/health', headers: { host: `a${jwt}` } });
    expect(lines.join('')).toContain('"host":"a[redacted]"');
    expectNoToken(lines.join(''));
  });

  it('masks one in error messages and stacks, in header objects and in messages logged by the service', () => {
    lines.length = 0;
    const err = new Error(`control plane answered 401 for https://cp.example/internal/v1?t=Bearer%20${jwt}`);
    err.cause = new Error(`upstream: token ${jwt} rejected`);
    app.log.error({ err }, 'call failed');
    app.log.warn({ err: `plain ${jwt}` }, 'as string');
    app.log.info(
      { headers: { 'x-forwarded-authorization': `Bearer ${jwt}`, 'x-trace': `a${jwt}` }, nested: [{ deeper: { url: `/x?q=%22${jwt}` } }] },
      'headers',
    );
    app.log.info(`request with ${encodeURIComponent(`Bearer ${jwt}`)} failed`);
    const text = lines.join('');
    expect(lines).toHaveLength(4);
    expect(text).toContain('control plane answered 401');
    expect(text).toContain('"stack"');
    expect(text).toContain('"err":"plain [redacted]"');
    expect(text).toContain('"x-trace":"a[redacted]"');
    expectNoToken(text);
  });
});
