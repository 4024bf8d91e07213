/**
 * A request that reaches a closing server on a keep-alive connection (its previous request was in
 * flight when the shutdown began) is answered 503 `shutting_down` with Retry-After and
 * Connection: close — never Fastify's bare 503, which says neither when nor whether to retry.
 * Found by the fault matrix (test/chaos/, SIGTERM mid-burst).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testApp, testEnv } from '../helpers/app.js';
import { rsaKey } from '../helpers/keys.js';
import { DEAD_URL } from '../helpers/services.js';

describe('closing server', () => {
  it('answers a request on a kept-alive connection with 503 shutting_down, Retry-After and Connection: close', async () => {
    const app = await testApp(
      testEnv(await rsaKey(), { CLICKHOUSE_URL: DEAD_URL.http, AIOPS_DATA_DIR: `/tmp/aiops-test-data/closing-${process.pid}` }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    // The first request is in flight (body not complete) when the shutdown starts, so the connection is not idle.
    const body = JSON.stringify({ token: 'x' });
    socket.write(
      `POST /auth/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 200));
    socket.write(body.slice(3));
    await new Promise((r) => setTimeout(r, 200));
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await closing;
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 401/); // answered normally: it was in flight
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(responses[1]).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(responses[1]).toMatch(/\r\nconnection: close\r\n/i);
    expect(responses[1]).toContain('"reason":"shutting_down"');
  });
});
