/**
 * The app under fuzz: the real app on a test configuration, listening on 127.0.0.1 (a free port),
 * its OpenAPI document read from /openapi.json, a few records that exist (so lookups see real
 * ones), and its warn/error log kept in memory so a failure can show what the server logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey } from '../helpers/keys.js';
import {
  hiddenOperations,
  operationsOf,
  registeredRoutes,
  withScopes,
  type OpenApiDocument,
  type Operation,
  type RegisteredRoute,
} from './operations.js';
import type { Target } from './send.js';

export interface FuzzTarget extends Target {
  app: FastifyInstance;
  /** Every route the router holds. */
  routes: RegisteredRoute[];
  operations: Operation[];
  fixtureIds: Record<string, readonly string[]>;
  /** Server log lines (warn and above) mentioning a request id. */
  logFor(requestId: string): string[];
  close(): Promise<void>;
}

const LOG_LINES_KEPT = 500;

export async function startTarget(o: { workspaceId: string; env?: Record<string, string>; fixtures: boolean }): Promise<FuzzTarget> {
  const [key, wrongKey] = await Promise.all([rsaKey('k1'), rsaKey('k-untrusted')]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aiops-fuzz-'));
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      if (lines.length > LOG_LINES_KEPT) lines.shift();
      done();
    },
  });
  const app = await testApp(testEnv(key, { AIOPS_DATA_DIR: dataDir, ...o.env }), { logger: { level: 'warn', stream } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as OpenApiDocument;
  const documented = operationsOf(doc);
  const routes = registeredRoutes(app.routeCatalog, app.printRoutes({ commonPrefix: false }));
  const target: FuzzTarget = {
    app,
    port,
    key,
    wrongKey,
    workspaceId: o.workspaceId,
    otherWorkspaceId: 'ws-other',
    tokenCache: new Map(),
    routes,
    operations: withScopes([...documented, ...hiddenOperations(routes, documented)], app.routeCatalog),
    fixtureIds: {},
    logFor: (requestId) => lines.filter((l) => l.includes(requestId)).map((l) => l.slice(0, 2000)),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (o.fixtures) target.fixtureIds = await createFixtures(target);
  return target;
}

/** One remediation, one analysis run and one chat thread, created through the API. */
async function createFixtures(t: FuzzTarget): Promise<Record<string, readonly string[]>> {
  const token = await contractToken(t.key, { workspaceId: t.workspaceId, permissions: ['aiops:admin'], ttlSeconds: 3000 });
  const post = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/workspaces/${t.workspaceId}${url}`,
      payload: payload as object,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    if (res.statusCode >= 300) throw new Error(`fixture ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json() as Record<string, string>;
  };
  const remediation = await post('/remediate', {
    actions: [{ action_type: 'restart_application', target_resource: 'deployment/cart', namespace: 'shop' }],
    reason: 'fuzz fixture',
  });
  const thread = await post('/chat', { message: 'why is cart slow?' }, { accept: 'application/json' });
  const run = await post('/analyze', { time_range_minutes: 30 });
  return { remediation_id: [remediation.id!], thread_id: [thread.thread_id!], run_id: [run.run_id!] };
}
