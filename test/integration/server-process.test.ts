/**
 * The service as a user starts it: `npm start` with nothing configured prints the console's address and a working curl line,
 * `npm run token` mints more tokens from the same development key, production without a key (or
 * without its metrics source, PostgreSQL and Redis) refuses to start, and SIGTERM drains an in-flight request before exiting 0.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finish, freePort, runTs, waitForOutput } from '../helpers/process.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'aiops-proc-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('server process', () => {
  it('starts on embedded defaults, prints a working token, mints more, and drains on SIGTERM', async () => {
    const port = await freePort();
    const server = runTs('src/server.ts', [], { PORT: String(port), HOST: '127.0.0.1', AIOPS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const exited = finish(server);
    const out = await waitForOutput(server, /curl -s -H "Authorization: Bearer ([^"]+)" (\S+)/);
    const [, token, url] = /curl -s -H "Authorization: Bearer ([^"]+)" (\S+)/.exec(out)!;
    expect(url).toBe(`http://127.0.0.1:${port}/workspaces/ws-demo/access`);
    const res = await fetch(url!, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ workspace_id: 'ws-demo', permissions: ['aiops:read', 'aiops:analyze', 'aiops:remediate'] });
    // The console's address, signed in with the same token in the fragment; the root leads to it.
    expect(out).toContain(`http://127.0.0.1:${port}/ui#token=${token}`);
    const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui');
    expect((await stat(path.join(dataDir, 'dev-keys', 'jwt-private.pem'))).mode & 0o777).toBe(0o600);

    const minted = await finish(
      runTs('src/cli/token.ts', ['--workspace', 'ws-b', '--permissions', 'aiops:read', '--ttl', '10m'], { AIOPS_DATA_DIR: dataDir }),
    );
    expect(minted.code, minted.stderr).toBe(0);
    const tokenB = minted.stdout.trim();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/workspaces/ws-b/access`, { headers: { authorization: `Bearer ${tokenB}` } })).status).toBe(200);
    expect((await fetch(`${base}/workspaces/ws-demo/access`, { headers: { authorization: `Bearer ${tokenB}` } })).status).toBe(403);

    // An in-flight request (headers sent, body not yet) must complete after SIGTERM.
    const body = JSON.stringify({ token: tokenB });
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (d) => (response += d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(
      `POST /auth/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(5));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('"valid":true');
    const result = await exited;
    expect(result.code).toBe(0);
  });

  it('refuses to start in production without a key, saying why', async () => {
    const result = await finish(runTs('src/server.ts', [], { NODE_ENV: 'production', AIOPS_DATA_DIR: dataDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid configuration:[\s\S]*no JWT verification key/);
  });

  it('refuses to start in production on the development fallbacks, naming each missing service and why', async () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----';
    const result = await finish(runTs('src/server.ts', [], { NODE_ENV: 'production', JWT_PUBLIC_KEY: pem, AIOPS_DATA_DIR: dataDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/no JWT verification key/);
    expect(result.stderr).toMatch(/invalid configuration:[\s\S]*PROMETHEUS_URL is not set: .*synthetic demo data/);
    expect(result.stderr).toMatch(/DATABASE_URL is not set: .*split across replicas/);
    expect(result.stderr).toMatch(/REDIS_URL is not set: .*split across replicas/);
  });

  it('the token CLI explains bad arguments', async () => {
    const result = await finish(
      runTs('src/cli/token.ts', ['--workspace', 'ws-b', '--permissions', 'aiops:root'], { AIOPS_DATA_DIR: dataDir }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown permission\(s\) aiops:root/);
  });
});
