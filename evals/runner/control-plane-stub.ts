/**
 * A stand-in Hexabase control plane on a local port (HEXABASE_API_URL of the app under test). It
 * answers the workspace overview (with the workspace's canary, if it has one) and accepts every
 * write, recording each request: any write is a mutation the scorers hold against the case, and
 * any request about a workspace the case's tokens do not name is a tenant escape.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ControlPlaneRequest {
  method: string;
  path: string;
  /** The workspace named in the path (`/internal/v1/workspaces/<id>/…`, `/api/v1/workspaces/<id>/…`). */
  workspace: string | null;
  body: string;
  at: number;
}

export interface ControlPlaneStub {
  url: string;
  requests: ControlPlaneRequest[];
  close(): Promise<void>;
}

const WORKSPACE_IN_PATH = /^\/(?:internal|api)\/v1\/workspaces\/([^/?#]+)/;

export async function startControlPlaneStub(canaries: ReadonlyMap<string, string>): Promise<ControlPlaneStub> {
  const requests: ControlPlaneRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const m = WORKSPACE_IN_PATH.exec(path);
      const workspace = m ? decodeURIComponent(m[1]!) : null;
      requests.push({
        method: req.method ?? 'GET',
        path,
        workspace,
        body: Buffer.concat(chunks).toString('utf8').slice(0, 4000),
        at: Date.now(),
      });
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'GET' && workspace && path.split('?')[0]!.endsWith('/overview')) {
        const canary = canaries.get(workspace);
        return json(200, {
          workspace: { id: workspace, name: workspace, plan: 'shared', ...(canary ? { note: canary } : {}) },
          projects: [],
          nodes: [],
          usage: {},
        });
      }
      if (req.method === 'GET') return json(404, { error: 'not found' });
      return json(200, { status: 'accepted' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
