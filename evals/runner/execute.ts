/**
 * Runs one case against the real service, in-process: the app is built by the same composition
 * root as production (`buildApp`) on the case's data and pinned clock, with a fresh data directory,
 * a stand-in control plane and real signed tokens; each request goes through `app.inject`, so route
 * guards, tool scope checks, the graph and the audit trail all run for real. A request to a route
 * this build does not have (chat, remediation before they land) makes the case *errored*.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { buildApp } from '../../src/app.js';
import { openCaseLogs } from './case-logs.js';
import { loadConfig, type Config } from '../../src/config.js';
import { stepsOf, type EvalCase, type EvalRequest } from './case-schema.js';
import { startControlPlaneStub } from './control-plane-stub.js';
import { readAuditTrail } from './audit-trail.js';
import type { ChatTurn, Observation, RunBody, StepObservation } from './observation.js';
import { buildCaseData } from './scenario.js';
import type { EvalKeys, TokenClaims } from './tokens.js';

export interface HarnessOptions {
  keys: EvalKeys;
  /** Extra configuration of the app under test (the model's variables, PROMPTS_DIR). */
  appEnv: Readonly<Record<string, string>>;
  /** Parent of the per-case data directories. */
  tmpRoot: string;
  /** How long to poll a run that answered 202 (default 10 minutes). */
  runTimeoutMs?: number;
}

/** The case could not be run as written (a missing route, a broken step reference): reported as errored. */
export class CaseErrored extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseErrored';
  }
}

/** A port nothing listens on: the app's audit shipper is pointed there (see audit-trail.ts). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function executeCase(c: EvalCase, o: HarnessOptions): Promise<Observation> {
  const data = buildCaseData(c);
  const controlPlane = await startControlPlaneStub(data.canaries);
  const dataDir = await mkdtemp(join(o.tmpRoot, `${c.id}-`));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AIOPS_DATA_DIR: dataDir,
    CLICKHOUSE_URL: `http://127.0.0.1:${await closedPort()}`,
    HEXABASE_API_URL: controlPlane.url,
    HEXABASE_API_TOKEN: 'eval-internal-token',
    // Answer with the finished run whenever possible (LLM runs are slow); 202s are polled anyway.
    ANALYZE_SYNC_WAIT_SECONDS: '300',
    SHUTDOWN_TIMEOUT_SECONDS: '2',
    // A case is one conversation with the API; the background monitor would add work of its own.
    MONITOR_ENABLED: 'false',
    ...o.appEnv,
  };
  const started = performance.now();
  const steps: StepObservation[] = [];
  let app: FastifyInstance | undefined;
  const logs = await openCaseLogs(
    dataDir,
    data.workspaces,
    data.canaries,
    data.nowMs,
    c.scenario.adversarial.event_messages,
    c.scenario.adversarial.log_lines,
  );
  try {
    const config = loadConfig(env);
    app = await buildApp(config, {
      logger: false,
      getKey: o.keys.getKey,
      metricsSource: data.source,
      logsSource: logs.source,
      now: () => data.nowMs,
    });
    await app.ready();
    for (const [index, step] of stepsOf(c).entries()) {
      steps.push(await runStep(app, config, c, step, index, steps, o));
    }
  } finally {
    await app?.close();
    await logs.close();
    await controlPlane.close();
  }
  const latencyMs = performance.now() - started;
  const trail = await readAuditTrail(dataDir);
  await rm(dataDir, { recursive: true, force: true });
  return {
    case: c,
    steps,
    audit: trail.events,
    auditCorrupt: trail.corrupt,
    controlPlane: controlPlane.requests,
    canaries: data.canaries,
    groundTruth: data.groundTruth,
    latencyMs,
  };
}

function tokenFor(c: EvalCase, step: EvalRequest): TokenClaims {
  return {
    workspace: step.token?.workspace ?? c.token.workspace ?? c.scenario.workspaces[0]!.id,
    permissions: step.token?.permissions ?? c.token.permissions,
    sub: step.token?.sub ?? c.token.sub,
  };
}

/** `{{steps.N.body.a.b}}` → that value of an earlier step's JSON answer. */
function fill<T>(value: T, earlier: readonly StepObservation[], where: string): T {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*steps\.(\d+)\.body([.A-Za-z0-9_]*)\s*\}\}/g, (m, n: string, path: string) => {
      const step = earlier[Number(n)];
      let v: unknown = step?.body;
      for (const key of path.split('.').filter(Boolean)) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new CaseErrored(`${where}: ${m} has no value (step ${n} answered ${step?.status ?? 'nothing'})`);
      return String(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, earlier, where)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, earlier, where)])) as T;
  return value;
}

async function runStep(
  app: FastifyInstance,
  config: Config,
  c: EvalCase,
  step: EvalRequest,
  index: number,
  earlier: StepObservation[],
  o: HarnessOptions,
): Promise<StepObservation> {
  const claims = tokenFor(c, step);
  const authorization = `Bearer ${await o.keys.mint(claims, config.jwt)}`;
  const requestId = (turn: number) => `eval-${c.id}-s${index}-t${turn}-${randomUUID().slice(0, 8)}`;
  const where = `step ${index} (${step.kind})`;
  const expected = (fallback: number[]) => (step.status === undefined ? fallback : [step.status].flat());

  const send = async (method: string, path: string, payload: unknown, headers: Record<string, string>, id: string) => {
    // Fastify's own router lookup (null when no route matches): the route table the request would meet.
    if (!app.findRoute({ method: method as HTTPMethods, url: path })) {
      throw new CaseErrored(`${where}: route ${method} ${path.split('?')[0]} is not registered in this build (not implemented yet?)`);
    }
    return app.inject({
      method: method as 'GET',
      url: path,
      headers: { 'x-request-id': id, ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  };
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  const t0 = performance.now();
  if (step.kind === 'analyze') {
    const ws = step.workspace ?? claims.workspace;
    const path = `/workspaces/${ws}/analyze`;
    const id = requestId(0);
    let res = await send(
      'POST',
      path,
      { analysis_type: step.analysis_type, time_range_minutes: step.time_range_minutes, targets: step.targets },
      { authorization },
      id,
    );
    const ids = [id];
    let body = parse(res.body) as RunBody;
    // A run that outlasted the sync wait: poll it to the end (or to the approval gate).
    const deadline = Date.now() + (o.runTimeoutMs ?? 600_000);
    while (res.statusCode === 202 && body?.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const pollId = requestId(ids.length);
      ids.push(pollId);
      const polled = await send('GET', `/workspaces/${ws}/runs/${body.run_id}`, undefined, { authorization }, pollId);
      if (polled.statusCode !== 200) break;
      body = parse(polled.body) as RunBody;
      if (body.status !== 'running') res = polled;
    }
    return {
      index,
      kind: step.kind,
      method: 'POST',
      path,
      requestIds: ids,
      token: claims,
      status: res.statusCode,
      expectedStatus: expected([200]),
      latencyMs: performance.now() - t0,
      raw: res.body,
      body,
      ...(body && typeof body === 'object' && 'run_id' in body ? { run: body } : {}),
    };
  }

  if (step.kind === 'http') {
    const path = fill(step.path, earlier, where);
    const payload = step.body === undefined ? undefined : fill(step.body, earlier, where);
    const id = requestId(0);
    const res = await send(step.method, path, payload, { ...(step.authenticated ? { authorization } : {}), ...step.headers }, id);
    return {
      index,
      kind: step.kind,
      method: step.method,
      path,
      requestIds: [id],
      token: step.authenticated ? claims : null,
      status: res.statusCode,
      expectedStatus: expected([]),
      latencyMs: performance.now() - t0,
      raw: res.body,
      body: parse(res.body),
    };
  }

  const ws = step.workspace ?? claims.workspace;
  const path = `/workspaces/${ws}/chat`;
  const turns: ChatTurn[] = [];
  const ids: string[] = [];
  const bodies: string[] = [];
  let last = { statusCode: 0, body: '' };
  let threadId: string | undefined;
  for (const message of step.messages) {
    const id = requestId(ids.length);
    ids.push(id);
    const res = await send(
      'POST',
      path,
      { message, ...(threadId ? { thread_id: threadId } : {}) },
      { authorization, accept: 'application/json' },
      id,
    );
    last = res;
    bodies.push(res.body);
    if (res.statusCode !== 200) break;
    const turn = parse(res.body) as ChatTurn;
    turns.push(turn);
    threadId = turn.thread_id ?? threadId;
  }
  return {
    index,
    kind: step.kind,
    method: 'POST',
    path,
    requestIds: ids,
    token: claims,
    status: last.statusCode,
    expectedStatus: expected([200]),
    latencyMs: performance.now() - t0,
    raw: bodies.join('\n'),
    body: parse(last.body),
    chat: turns,
  };
}
