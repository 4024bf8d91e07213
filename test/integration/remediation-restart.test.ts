/**
 * A remediation survives the process: proposed, the service killed (SIGKILL, no shutdown), started
 * again on the same data directory, then approved — it executes exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { finish, freePort, runTs } from '../helpers/process.js';

let dataDir: string;
let key: RsaKey;
let cp: ControlPlaneStub;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'aiops-rem-'));
  key = await rsaKey();
  cp = await startControlPlaneStub();
});
afterAll(async () => {
  await cp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function startServer(port: number) {
  const child = runTs('src/server.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    AIOPS_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JWT_PUBLIC_KEY: key.publicPem,
    HEXABASE_API_URL: cp.url,
  });
  const exited = finish(child);
  for (let i = 0; i < 150; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start: ${(await exited).stderr}`);
}

describe('remediation across a crash', () => {
  it('proposed, killed, restarted, approved: executed once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const alice = await contractToken(key, { workspaceId: 'ws-crash', sub: 'alice', permissions: ['aiops:read', 'aiops:remediate'] });
    const bob = await contractToken(key, { workspaceId: 'ws-crash', sub: 'bob', permissions: ['aiops:read', 'aiops:remediate'] });

    const first = await startServer(port);
    const proposed = await fetch(`${base}/workspaces/ws-crash/remediate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ actions: [{ action_type: 'scale', target_resource: 'deployment/cart', parameters: { replicas: 4 } }] }),
    });
    expect(proposed.status).toBe(201);
    const { id } = (await proposed.json()) as { id: string };
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startServer(port);
    try {
      const pending = await fetch(`${base}/workspaces/ws-crash/remediations/${id}`, { headers: { authorization: `Bearer ${bob}` } });
      expect(((await pending.json()) as { status: string }).status).toBe('pending_approval');
      expect(cp.calls).toEqual([]);
      const approve = () =>
        fetch(`${base}/workspaces/ws-crash/remediations/${id}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
          body: '{}',
        });
      const approved = await approve();
      expect(((await approved.json()) as { status: string }).status).toBe('completed');
      expect((await approve()).status).toBe(409);
      expect(cp.writes()).toHaveLength(1);
      expect(cp.writes()[0]).toMatchObject({ path: '/internal/v1/workspaces/ws-crash/deployments/cart/scale', body: { replicas: 4 } });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
