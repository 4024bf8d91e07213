/**
 * A local HTTP server that plays the Hexabase control plane for remediation tests: it records every
 * call (method, path, headers, body) and answers as told — 200, an error status, or never (hang).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type StubBehaviour = { kind: 'ok'; delayMs?: number } | { kind: 'fail'; status: number; message: string } | { kind: 'hang' };

export interface ControlPlaneStub {
  url: string;
  calls: RecordedCall[];
  behave(b: StubBehaviour): void;
  /** Calls that change something (everything but the overview read). */
  writes(): RecordedCall[];
  close(): Promise<void>;
}

export async function startControlPlaneStub(): Promise<ControlPlaneStub> {
  const calls: RecordedCall[] = [];
  let behaviour: StubBehaviour = { kind: 'ok' };
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // keep the text
      }
      calls.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const b = behaviour;
      if (b.kind === 'hang') {
        hanging.add(res);
        return;
      }
      const answer = () => {
        if (b.kind === 'fail') {
          res.writeHead(b.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: b.message }));
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
        }
      };
      if (b.kind === 'ok' && b.delayMs) setTimeout(answer, b.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    behave: (b) => (behaviour = b),
    writes: () => calls.filter((c) => c.method !== 'GET'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
