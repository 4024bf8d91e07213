/**
 * workspace_overview with the Hexabase control plane (a local server speaking its internal API):
 * the caller's verified workspace is the one asked for, with the internal token; a failing control
 * plane degrades the answer to metrics only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { ControlPlaneClient } from '../../src/clients/hexabase.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { demoWorkspaces } from '../../src/metrics/scenarios/index.js';
import { createDefaultToolBox } from '../../tools/index.js';
import { collectingAudit } from '../helpers/fake-llm.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const seen: { url: string; authorization?: string }[] = [];
let status = 200;
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      status === 200
        ? JSON.stringify({
            workspace: { id: 'ws-demo', plan: 'dedicated', status: 'active' },
            projects: [{ name: 'shop' }],
            nodes: [{ name: 'node-1' }],
          })
        : '{"error":"boom"}',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-demo',
  permissions: ['aiops:read'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: NOW / 1000 + 600,
  rawToken: 'user-token',
};

function toolbox() {
  const metrics = new EmbeddedMetricsSource({ workspaces: demoWorkspaces(), tenantLabel: 'workspace_id', now: () => NOW });
  const controlPlane = new ControlPlaneClient({ baseUrl: base, internalToken: 'internal_secret', timeoutMs: 2000, maxRetries: 1 });
  return createDefaultToolBox({ metrics, audit: collectingAudit(), now: () => NOW, controlPlane });
}

describe('workspace_overview with the control plane', () => {
  it("asks for the caller's own workspace with the internal token and merges the answer", async () => {
    seen.length = 0;
    status = 200;
    const result = await toolbox().run('workspace_overview', {}, { auth });
    expect(result.status).toBe('ok');
    const data = (
      result as { data: { control_plane: { status: string; overview: { workspace: { plan: string } } }; counts: { pods: number } } }
    ).data;
    expect(data.control_plane.status).toBe('ok');
    expect(data.control_plane.overview.workspace.plan).toBe('dedicated');
    expect(data.counts.pods).toBeGreaterThan(0);
    expect(seen).toEqual([{ url: '/internal/v1/workspaces/ws-demo/overview', authorization: 'Bearer internal_secret' }]);
  });

  it('a failing control plane is retried once, then reported, and the metrics part still answers', async () => {
    seen.length = 0;
    status = 503;
    const result = await toolbox().run('workspace_overview', {}, { auth });
    expect(result.status).toBe('ok');
    expect((result as { data: { control_plane: { status: string; message: string } } }).data.control_plane).toEqual({
      status: 'unavailable',
      message: expect.stringMatching(/HTTP 503/),
    });
    expect(seen).toHaveLength(2);
  });

  it('a workspace argument from a model is refused: the workspace comes from the token', async () => {
    const result = await toolbox().run('workspace_overview', { workspace_id: 'ws-acme' }, { auth });
    expect(result.status).toBe('error');
  });
});
