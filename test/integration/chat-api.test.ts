/**
 * The chat API end to end in deterministic mode (no model configured): the real app, routes, graph,
 * tools and SQLite checkpoints on scenario data (EmbeddedMetricsSource + scenarioWorkspace, clock
 * pinned). Streaming order (SSE parsed), JSON mode, thread ownership and listing, the deterministic
 * intents with their evidence, scopes inside chat, and approvals from chat with a recording fake
 * remediation service.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../../src/chat/sse.js';
import type { Remediation, RemediationProposer } from '../../src/chat/remediation-port.js';
import { RemediationError } from '../../src/remediation/errors.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ALL = ['aiops:read', 'aiops:analyze', 'aiops:remediate'];

type Ev = { event: string; data: Record<string, unknown> };

/** A remediation service stand-in that records every call and answers like the real one. */
function recordingProposer() {
  const calls: { op: string; sub: string; workspace: string; args: unknown }[] = [];
  const store = new Map<string, Remediation>();
  let n = 0;
  const proposer: RemediationProposer = {
    async propose(auth, request) {
      calls.push({ op: 'propose', sub: auth.sub, workspace: auth.workspaceId, args: request });
      const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      const r: Remediation = {
        id,
        workspace_id: auth.workspaceId,
        status: 'pending_approval',
        issue_id: request.issue_id ?? null,
        source: request.source,
        requested_by: auth.sub,
        requested_at: new Date(NOW).toISOString(),
        proposal_count: 1,
        proposals: [{ source: request.source, requested_by: auth.sub, requested_at: new Date(NOW).toISOString() }],
        approval_required: true,
        reason: request.reason ?? null,
        plan: request.actions.map((a, index) => ({
          index,
          action_type: a.action_type,
          target_resource: a.target_resource,
          namespace: a.namespace ?? null,
          parameters: a.parameters ?? {},
          dry_run: false,
          risk: 'medium',
          executable: true,
          description: `${a.action_type} ${a.target_resource}`,
          reason: a.reason ?? null,
        })),
        dry_run_result: { ok: true, checks: [], summary: 'all checks passed' },
        risk: 'medium',
        expires_at: new Date(NOW + 1_800_000).toISOString(),
        decision: null,
        results: [],
        error: null,
        updated_at: new Date(NOW).toISOString(),
      };
      store.set(id, r);
      return r;
    },
    async approve(auth, id, comment) {
      calls.push({ op: 'approve', sub: auth.sub, workspace: auth.workspaceId, args: { id, comment } });
      const r = store.get(id);
      if (!r || r.workspace_id !== auth.workspaceId) throw new RemediationError('not_found', 'not_found', 'no such remediation');
      if (!auth.permissions.includes('aiops:remediate'))
        throw new RemediationError('denied', 'missing_scope', 'missing scope: approving needs aiops:remediate');
      if (r.status !== 'pending_approval') throw new RemediationError('conflict', 'not_pending', 'not pending');
      const done: Remediation = {
        ...r,
        status: 'completed',
        decision: { decision: 'approved', by: auth.sub, at: new Date(NOW).toISOString() },
        results: r.plan.map((p) => ({ index: p.index, status: 'completed', message: 'done' })),
      };
      store.set(id, done);
      return done;
    },
    async reject(auth, id, comment) {
      calls.push({ op: 'reject', sub: auth.sub, workspace: auth.workspaceId, args: { id, comment } });
      const r = store.get(id)!;
      const rejected: Remediation = {
        ...r,
        status: 'rejected',
        decision: { decision: 'rejected', by: auth.sub, at: new Date(NOW).toISOString(), ...(comment ? { comment } : {}) },
      };
      store.set(id, rejected);
      return rejected;
    },
  };
  return { proposer, calls };
}

let key: RsaKey;
let app: FastifyInstance;
const recorder = recordingProposer();
const token = (ws: string, permissions = ALL, sub = 'alice') => contractToken(key, { workspaceId: ws, permissions, sub });

beforeAll(async () => {
  key = await rsaKey();
  const metrics = new EmbeddedMetricsSource({
    workspaces: [
      scenarioWorkspace('ws-a', ['memory_leak', 'pvc_filling']),
      scenarioWorkspace('ws-b', ['over_provisioned']),
      scenarioWorkspace('ws-ok', []),
    ],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  app = await testApp(testEnv(key, { AIOPS_CROSS_WORKSPACE_SUBJECTS: 'svc-reporting' }), {
    metricsSource: metrics,
    now: () => NOW,
    chatRemediationProposer: recorder.proposer,
  });
});
afterAll(async () => app?.close());

async function chat(ws: string, body: Record<string, unknown>, opts: { token?: string; accept?: string } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/chat`,
    headers: { ...bearer(opts.token ?? (await token(ws))), ...(opts.accept !== undefined ? { accept: opts.accept } : {}) },
    payload: body,
  });
  return {
    res,
    events:
      res.statusCode === 200 && String(res.headers['content-type'] ?? '').startsWith('text/event-stream')
        ? (parseSse(res.body) as Ev[])
        : [],
  };
}

const answerOf = (events: Ev[]) =>
  events.find((e) => e.event === 'answer')!.data as {
    text: string;
    evidence: { kind: string; ref: string }[];
    partial: boolean;
    mode: string;
  };

describe('streaming (SSE)', () => {
  it('streams thread, tool activity, tokens, answer and done, in that order, and the tokens spell the answer', async () => {
    const { res, events } = await chat('ws-a', { message: 'What is wrong now?' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['cache-control']).toMatch(/no-cache/);
    expect(res.headers['x-request-id']).toBeTruthy();
    // Every block is `event: <name>\ndata: <json>\n\n`.
    expect(res.body).toMatch(/^event: thread\ndata: \{"thread_id":"[0-9a-f-]{36}"\}\n\n/);
    expect(res.body.endsWith('event: done\ndata: {}\n\n')).toBe(true);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('thread');
    expect(names.at(-1)).toBe('done');
    expect(names.at(-2)).toBe('answer');
    expect(names.filter((n) => n === 'thread' || n === 'answer' || n === 'done')).toEqual(['thread', 'answer', 'done']);
    expect(names.indexOf('tool_call')).toBeLessThan(names.indexOf('tool_result'));
    expect(names.indexOf('tool_result')).toBeLessThan(names.indexOf('token'));
    const call = events.find((e) => e.event === 'tool_call')!.data;
    const result = events.find((e) => e.event === 'tool_result')!.data;
    expect(call).toMatchObject({ name: 'diagnose_workspace', args: { analysis_type: 'anomaly' } });
    expect(result).toMatchObject({ id: call.id, name: 'diagnose_workspace', status: 'ok' });
    const answer = answerOf(events);
    expect(
      events
        .filter((e) => e.event === 'token')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(answer.text);
    expect(answer).toMatchObject({ partial: false, mode: 'deterministic' });
    expect(answer.text).toMatch(/memory leak in shop\/api/);
    // Cites findings and series points from the analysis.
    expect(answer.evidence.some((e) => e.kind === 'finding')).toBe(true);
    expect(answer.evidence.some((e) => e.kind === 'series' && /memory|oom/.test(e.ref))).toBe(true);
  });

  it('JSON mode: the same events, in the same order, with the answer alongside', async () => {
    const { res } = await chat('ws-a', { message: 'what will run out first?' }, { accept: 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { thread_id: string; answer: { text: string; evidence: { kind: string }[] }; events: Ev[] };
    expect(body.events[0]).toEqual({ event: 'thread', data: { thread_id: body.thread_id } });
    expect(body.events.at(-1)).toEqual({ event: 'done', data: {} });
    expect(body.events.find((e) => e.event === 'answer')!.data).toEqual(body.answer);
    expect(body.events.map((e) => e.event)).toContain('tool_call');
    expect(body.answer.text).toMatch(/First to run out: /);
    expect(body.answer.text).toMatch(/PVC data-postgres-0 in data reaches its volume in about/);
    expect(body.answer.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['finding', 'series']));
    // Same turn again as SSE: same event sequence (names).
    const sse = await chat('ws-a', { message: 'what will run out first?' });
    expect(sse.events.map((e) => e.event).filter((n) => n !== 'token')).toEqual(
      body.events.map((e) => e.event).filter((n) => n !== 'token'),
    );
  });

  it('refuses bad input with 400 before any stream, and unknown Accept with 406', async () => {
    for (const body of [
      {},
      { message: '' },
      { message: '   ' },
      { message: 'x'.repeat(4001) },
      { message: 'hi', thread_id: 'not-a-uuid' },
      { message: 'hi', workspace_id: 'ws-b' },
    ]) {
      const { res } = await chat('ws-a', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await chat('ws-a', { message: 'hi' }, { accept: 'text/html' })).res.statusCode).toBe(406);
  });
});

describe('threads belong to their workspace and user', () => {
  it('another user of the workspace gets 404 on read and on continue; another workspace 403 (guard) and 404 (own token); listing shows own threads only', async () => {
    const first = await chat('ws-a', { message: 'any recommendations for shop?' });
    const tid = (first.events[0]!.data as { thread_id: string }).thread_id;
    const own = await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(await token('ws-a')) });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ thread_id: tid, title: 'any recommendations for shop?' });
    expect(own.json().messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(own.json().messages[1].tool_calls[0]).toMatchObject({ name: 'recommend_rightsizing', status: 'ok' });

    const bob = await token('ws-a', ALL, 'bob');
    const read = await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(bob) });
    expect(read.statusCode).toBe(404);
    const cont = await chat('ws-a', { message: 'what is wrong now?', thread_id: tid }, { token: bob });
    expect(cont.res.statusCode).toBe(404);
    expect(cont.res.headers['content-type']).toMatch(/application\/json/);

    // A token of another workspace on this workspace's path: the guard refuses (403).
    const otherWs = await token('ws-b');
    expect((await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(otherWs) })).statusCode).toBe(403);
    expect((await chat('ws-a', { message: 'hi', thread_id: tid }, { token: otherWs })).res.statusCode).toBe(403);
    // The same user's token of another workspace, on that workspace's path: the thread is not there (404).
    const aliceB = await token('ws-b', ALL, 'alice');
    expect((await app.inject({ url: `/workspaces/ws-b/chat/threads/${tid}`, headers: bearer(aliceB) })).statusCode).toBe(404);
    expect((await chat('ws-b', { message: 'hi', thread_id: tid }, { token: aliceB })).res.statusCode).toBe(404);

    const bobsOwn = await chat('ws-a', { message: 'what will run out first?' }, { token: bob });
    const bobTid = (bobsOwn.events[0]!.data as { thread_id: string }).thread_id;
    const list = async (t: string, ws = 'ws-a') =>
      (await app.inject({ url: `/workspaces/${ws}/chat/threads`, headers: bearer(t) })).json().threads as {
        thread_id: string;
        turns: number;
      }[];
    const alices = await list(await token('ws-a'));
    expect(alices.map((t) => t.thread_id)).toContain(tid);
    expect(alices.map((t) => t.thread_id)).not.toContain(bobTid);
    expect((await list(bob)).map((t) => t.thread_id)).toEqual([bobTid]);
    expect((await list(aliceB, 'ws-b')).map((t) => t.thread_id)).not.toContain(tid);
    expect(alices.find((t) => t.thread_id === tid)).toMatchObject({ turns: 1 });
  });

  it('a thread continues with its history; an unknown thread id is 404', async () => {
    const first = await chat('ws-a', { message: 'what is wrong now?' });
    const tid = (first.events[0]!.data as { thread_id: string }).thread_id;
    const second = await chat('ws-a', { message: 'what will run out first?', thread_id: tid });
    expect(second.res.statusCode).toBe(200);
    expect(second.events[0]!.data).toEqual({ thread_id: tid });
    const view = (await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(await token('ws-a')) })).json();
    expect(view.messages.map((m: { role: string; content: string }) => `${m.role}:${m.content.slice(0, 20)}`)).toEqual([
      'user:what is wrong now?',
      expect.stringMatching(/^assistant:/),
      'user:what will run out fi',
      expect.stringMatching(/^assistant:First to run out/),
    ]);
    const threads = (await app.inject({ url: '/workspaces/ws-a/chat/threads', headers: bearer(await token('ws-a')) })).json().threads;
    expect(threads[0]).toMatchObject({ thread_id: tid, turns: 2 });
    expect((await chat('ws-a', { message: 'hi', thread_id: '2b0c2a55-8a3c-4f4e-9d55-3c3a7a0b9e11' })).res.statusCode).toBe(404);
  });
});

describe('cross-workspace readers', () => {
  it('an allow-listed internal subject may read another workspace but not hold a conversation in it', async () => {
    const reader = await contractToken(key, { sub: 'svc-reporting', workspaceId: 'ws-ops', permissions: ['aiops:admin'] });
    const res = await chat('ws-a', { message: 'what is wrong now?' }, { token: reader });
    expect(res.res.statusCode).toBe(403);
    expect(res.res.json().reason).toBe('cross_workspace_chat');
    const list = await app.inject({ url: '/workspaces/ws-a/chat/threads', headers: bearer(reader) });
    expect(list.statusCode).toBe(200);
    expect(list.json().threads).toEqual([]);
  });
});

describe('deterministic intents on scenario data', () => {
  it('what is wrong / why is X slow: the diagnosis with its evidence; a healthy workspace has nothing wrong', async () => {
    const why = answerOf((await chat('ws-a', { message: 'why does api keep getting OOM killed?' })).events);
    expect(why.text).toMatch(/^.*\n\n1\. memory leak in shop\/api/s);
    expect(why.text).toMatch(/findings: .*oom_kill:shop\/api/);
    const healthy = answerOf((await chat('ws-ok', { message: "what's wrong right now?" })).events);
    expect(healthy.text).toMatch(/nothing is wrong/i);
    expect(healthy.mode).toBe('deterministic');
  });

  it('recommendations: right-sizing of the over-provisioned workload with the savings and evidence', async () => {
    const { events } = await chat('ws-b', { message: 'Any right-sizing recommendations?' });
    expect(events.find((e) => e.event === 'tool_call')!.data).toMatchObject({ name: 'recommend_rightsizing' });
    const answer = answerOf(events);
    expect(answer.text).toMatch(/over-provisioned: CPU .* → .*frees/);
    expect(answer.evidence.some((e) => e.kind === 'finding' && e.ref.startsWith('rightsizing:'))).toBe(true);
  });

  it("explain an alert: the service's own alert with its finding, evidence, cause and mitigation", async () => {
    const { events } = await chat('ws-a', { message: 'Explain the alert AIOpsOomKill' });
    expect(events.filter((e) => e.event === 'tool_call').map((e) => e.data.name)).toEqual(['list_alerts', 'diagnose_workspace']);
    const answer = answerOf(events);
    expect(answer.text).toMatch(/^AIOpsOomKill is firing \(critical\)/);
    expect(answer.text).toMatch(/Most likely cause: memory leak in shop\/api/);
    expect(answer.text).toMatch(/oom_kills\{namespace="shop"/);
  });

  it('anything else: says plainly that free-form questions need a model, without calling tools', async () => {
    const { events } = await chat('ws-a', { message: 'Write me a haiku about Kubernetes' });
    expect(events.map((e) => e.event).filter((n) => n !== 'token')).toEqual(['thread', 'answer', 'done']);
    expect(answerOf(events).text).toMatch(/Free-form questions need a language model/);
  });
});

describe('scopes inside chat', () => {
  it('a read-only token chats (aiops:read) but the analysis and the proposal are denied by the tools', async () => {
    const ro = await token('ws-a', ['aiops:read'], 'reader');
    const wrong = await chat('ws-a', { message: 'what is wrong now?' }, { token: ro });
    expect(wrong.res.statusCode).toBe(200);
    expect(wrong.events.find((e) => e.event === 'tool_result')!.data).toMatchObject({ name: 'diagnose_workspace', status: 'denied' });
    expect(answerOf(wrong.events).text).toMatch(/cannot run the analysis for you: missing scope: diagnose_workspace needs aiops:analyze/);
    const before = recorder.calls.length;
    const restart = await chat('ws-a', { message: 'restart deployment/api in shop' }, { token: ro });
    expect(restart.events.find((e) => e.event === 'tool_result')!.data).toMatchObject({ name: 'propose_remediation', status: 'denied' });
    expect(restart.events.some((e) => e.event === 'approval_request')).toBe(false);
    expect(recorder.calls.length).toBe(before); // the remediation service was never asked
  });
});

describe('remediation from chat (fake remediation service recording calls)', () => {
  it('"restart it" proposes the mitigation of the diagnosis as a chat remediation; "approve" approves it as the user', async () => {
    const t = await token('ws-a');
    const first = await chat('ws-a', { message: 'what is wrong now?' }, { token: t });
    const tid = (first.events[0]!.data as { thread_id: string }).thread_id;
    recorder.calls.length = 0;
    const restart = await chat('ws-a', { message: 'restart it', thread_id: tid }, { token: t });
    const names = restart.events.map((e) => e.event).filter((n) => n !== 'token');
    expect(names).toEqual(['thread', 'tool_call', 'tool_result', 'approval_request', 'answer', 'done']);
    expect(restart.events.find((e) => e.event === 'tool_result')!.data).toMatchObject({
      name: 'propose_remediation',
      status: 'approval_required',
    });
    const remediation = (restart.events.find((e) => e.event === 'approval_request')!.data as { remediation: Remediation }).remediation;
    expect(remediation).toMatchObject({ status: 'pending_approval', source: { kind: 'chat', thread_id: tid } });
    expect(recorder.calls).toEqual([
      {
        op: 'propose',
        sub: 'alice',
        workspace: 'ws-a',
        args: expect.objectContaining({
          source: { kind: 'chat', thread_id: tid },
          actions: [expect.objectContaining({ action_type: 'restart_application', target_resource: 'deployment/api', namespace: 'shop' })],
        }),
      },
    ]);
    expect(answerOf(restart.events).text).toContain(remediation.id);

    const approve = await chat('ws-a', { message: 'approve', thread_id: tid }, { token: t });
    expect(approve.events.find((e) => e.event === 'tool_call')!.data).toMatchObject({
      name: 'approve_remediation',
      args: { remediation_id: remediation.id },
    });
    expect(approve.events.find((e) => e.event === 'tool_result')!.data).toMatchObject({ status: 'ok' });
    expect(recorder.calls.at(-1)).toEqual({
      op: 'approve',
      sub: 'alice',
      workspace: 'ws-a',
      args: { id: remediation.id, comment: undefined },
    });
    expect(answerOf(approve.events).text).toMatch(/Approved remediation .*: it is completed/);
    expect(answerOf(approve.events).evidence).toEqual([expect.objectContaining({ kind: 'remediation', ref: remediation.id })]);

    // Nothing left to approve; a second approval is answered plainly.
    const again = await chat('ws-a', { message: 'approve', thread_id: tid }, { token: t });
    expect(answerOf(again.events).text).toMatch(/no remediation awaiting approval/);
  });

  it('"scale cart in shop to 3" then "reject: too risky" rejects with the comment', async () => {
    const t = await token('ws-a');
    const scale = await chat('ws-a', { message: 'scale cart in shop to 3' }, { token: t });
    const tid = (scale.events[0]!.data as { thread_id: string }).thread_id;
    const remediation = (scale.events.find((e) => e.event === 'approval_request')!.data as { remediation: Remediation }).remediation;
    expect(remediation.plan[0]).toMatchObject({
      action_type: 'scale',
      target_resource: 'deployment/cart',
      namespace: 'shop',
      parameters: { replicas: 3 },
    });
    const reject = await chat('ws-a', { message: 'reject: too risky', thread_id: tid }, { token: t });
    expect(recorder.calls.at(-1)).toEqual({
      op: 'reject',
      sub: 'alice',
      workspace: 'ws-a',
      args: { id: remediation.id, comment: 'too risky' },
    });
    expect(answerOf(reject.events).text).toMatch(/Rejected remediation/);
  });

  it('a refusal of the remediation service (missing aiops:remediate) is a denied result, said plainly', async () => {
    const analyst = await token('ws-a', ['aiops:read', 'aiops:analyze'], 'carol');
    const scale = await chat('ws-a', { message: 'scale cart in shop to 2' }, { token: analyst });
    const tid = (scale.events[0]!.data as { thread_id: string }).thread_id;
    expect(scale.events.some((e) => e.event === 'approval_request')).toBe(true);
    const approve = await chat('ws-a', { message: 'approve', thread_id: tid }, { token: analyst });
    expect(approve.events.find((e) => e.event === 'tool_result')!.data).toMatchObject({ name: 'approve_remediation', status: 'denied' });
    expect(answerOf(approve.events).text).toMatch(/refused to approve .*aiops:remediate/);
  });

  it('"restart it" with nothing discussed asks which workload instead of guessing', async () => {
    const { events } = await chat('ws-a', { message: 'restart it' });
    expect(events.some((e) => e.event === 'tool_call')).toBe(false);
    expect(answerOf(events).text).toMatch(/Which workload do you mean\?/);
  });
});
