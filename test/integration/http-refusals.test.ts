/**
 * Requests refused before any route runs still get the one error shape with a request id (found
 * by the hostile-input fuzz): by Node's HTTP parser (headers over the size limit, a malformed
 * header) and by Fastify's router (a path parameter over maxParamLength, a path that is not
 * valid percent-encoding). Fastify's defaults answer these without a request id, and the router's
 * echo the whole path back.
 */
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testEnv } from '../helpers/app.js';
import { rsaKey } from '../helpers/keys.js';

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = await testApp(testEnv(await rsaKey()));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => app?.close());

/** Writes raw bytes and reads until the server closes the connection. */
function rawExchange(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(request);
  });
}

const expectShape = (res: { status: number; headers: Record<string, unknown>; body: string }, status: number) => {
  expect(res.status).toBe(status);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toEqual({ error: expect.any(String), message: expect.any(String), statusCode: status, requestId: expect.any(String) });
  expect(res.headers['x-request-id']).toBe(body.requestId);
  return body;
};

describe('refused by the HTTP parser', () => {
  it('headers over the size limit → 431 in the error shape, with X-Request-Id', async () => {
    const res = await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const body = expectShape(res, 431);
    expect(body.error).toBe('Request Header Fields Too Large');
  });

  it('a malformed header line → 400 in the error shape', async () => {
    const res = await rawExchange('GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expectShape(res, 400);
  });

  it('a refused HEAD request gets the status and headers but no body (a client would read it as the next answer)', async () => {
    const res = await rawExchange('HEAD /health\u007f HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toBe('');
  });
});

describe('refused by the router', () => {
  it('a path parameter over maxParamLength → 414 in the error shape, without echoing the path', async () => {
    const res = await app.inject({ url: `/workspaces/ws-a/runs/${'x'.repeat(150)}` });
    const body = expectShape({ ...res, status: res.statusCode, body: res.body }, 414);
    expect(body.message).not.toContain('xxxxxxxxxx');
  });

  it('a path that is not valid percent-encoding → 400 in the error shape', async () => {
    const res = await app.inject({ url: '/workspaces/ws-a/runs/%E0%A4%A' });
    expectShape({ ...res, status: res.statusCode, body: res.body }, 400);
  });
});
