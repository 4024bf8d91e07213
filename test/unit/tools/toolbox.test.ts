import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MetricsSource } from '../../../src/metrics/metrics-source.js';
import { ALL_TOOLS, createDefaultToolBox, createToolBox, defineTool, ok } from '../../../tools/index.js';
import type { ToolDefinition, ToolDeps } from '../../../tools/tool.js';
import { ctxFor, FakeAuditLog } from './fakes.js';

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const noMetrics = {} as MetricsSource;

const echo = defineTool({
  name: 'echo',
  description: 'echo',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({ text: z.string().max(20).describe('what to echo'), api_token: z.string().optional() }),
  output: z.strictObject({ text: z.string(), workspace: z.string() }),
  handler: async (args, ctx) => ok({ text: args.text, workspace: ctx.auth.workspaceId }),
  summarize: (data) => `echoed ${data.text}`,
});
const restart = defineTool({
  name: 'restart_everything',
  description: 'test-only mutating tool',
  scope: 'aiops:remediate',
  mutates: true,
  input: z.strictObject({ target: z.string() }),
  output: z.strictObject({ restarted: z.string() }),
  handler: async (args) => ok({ restarted: args.target }),
  summarize: (data) => `restarted ${data.restarted}`,
});
const boom = defineTool({
  name: 'boom',
  description: 'throws',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({}),
  output: z.never(),
  handler: async () => {
    throw new Error('secret internals at /srv/x');
  },
  summarize: () => 'never',
});
const slow = defineTool({
  name: 'slow',
  description: 'never answers',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({}),
  output: z.never(),
  handler: () => new Promise(() => undefined),
  summarize: () => 'never',
});

function setup(tools: ToolDefinition<never, unknown>[] = [echo, restart, boom, slow] as unknown as ToolDefinition<never, unknown>[]) {
  const audit = new FakeAuditLog();
  const deps: ToolDeps = { metrics: noMetrics, audit, now: () => NOW };
  return { audit, box: createToolBox(tools, deps, { timeoutMs: 50 }) };
}

describe('createToolBox', () => {
  it("runs a tool in the caller's workspace and audits the call", async () => {
    const { box, audit } = setup();
    const r = await box.run('echo', { text: 'hi', api_token: 'sk-abcdefghijklmnopqrstuvwxyz' }, ctxFor('ws-a', ['aiops:read']));
    expect(r).toEqual({ status: 'ok', data: { text: 'hi', workspace: 'ws-a' } });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({
      event_type: 'tool_call',
      user_id: 'alice',
      workspace_id: 'ws-a',
      request_id: 'req-1',
      details: { tool: 'echo', required_scope: 'aiops:read', status: 'ok', duration_ms: 0 },
    });
    expect(JSON.stringify(audit.events[0])).not.toContain('sk-abcdefghijklmnopqrstuvwxyz');
  });

  it('refuses a caller without the scope, audited as denied', async () => {
    const { box, audit } = setup();
    const r = await box.run('echo', { text: 'hi' }, ctxFor('ws-a', ['aiops:analyze']));
    expect(r).toMatchObject({ status: 'error', message: expect.stringContaining('missing scope') });
    expect(audit.events[0]?.details).toMatchObject({ status: 'denied', required_scope: 'aiops:read' });
    expect(await box.run('echo', { text: 'hi' }, ctxFor('ws-a', ['aiops:admin']))).toMatchObject({ status: 'ok' });
  });

  it('answers invalid arguments with the expected schema and the issues', async () => {
    const { box, audit } = setup();
    const r = await box.run('echo', { text: 42 }, ctxFor('ws-a', ['aiops:read']));
    expect(r.status).toBe('error');
    if (r.status !== 'error') return;
    expect(r.expected_schema).toMatchObject({ type: 'object', properties: { text: { type: 'string', description: 'what to echo' } } });
    expect(r.details?.issues).toEqual([expect.objectContaining({ path: 'text' })]);
    expect(audit.events[0]?.details).toMatchObject({ status: 'error' });
  });

  it('the workspace cannot be chosen by arguments', async () => {
    const { box } = setup();
    const r = await box.run('echo', { text: 'hi', workspace_id: 'ws-b' }, ctxFor('ws-a', ['aiops:read']));
    expect(r).toMatchObject({ status: 'error', message: expect.stringContaining('workspace_id') });
    for (const def of ALL_TOOLS) {
      const shape = JSON.stringify(z.toJSONSchema(def.input as z.ZodType, { io: 'input', unrepresentable: 'any' }));
      expect(shape, def.name).not.toMatch(/"[a-z_]*workspace[a-z_]*":/i);
    }
  });

  it('every real tool rejects a workspace_id argument', async () => {
    const audit = new FakeAuditLog();
    const box = createDefaultToolBox({ metrics: noMetrics, audit, now: () => NOW });
    for (const def of box.list()) {
      const r = await box.run(def.name, { workspace_id: 'ws-b' }, ctxFor('ws-a', ['aiops:admin']));
      expect(r.status, def.name).toBe('error');
      expect(JSON.stringify(r), def.name).toContain('workspace_id');
    }
    expect(audit.events).toHaveLength(box.list().length);
  });

  it('a mutating tool needs an approval', async () => {
    const { box, audit } = setup();
    const ctx = ctxFor('ws-a', ['aiops:remediate']);
    expect(await box.run('restart_everything', { target: 'deployment/api' }, ctx)).toMatchObject({
      status: 'approval_required',
      proposal: { tool: 'restart_everything', arguments: { target: 'deployment/api' } },
    });
    expect(
      await box.run('restart_everything', { target: 'deployment/api' }, { ...ctx, approval: { approvedBy: 'bob', approvalId: 'ap-1' } }),
    ).toEqual({ status: 'ok', data: { restarted: 'deployment/api' } });
    expect(audit.events).toHaveLength(2);
  });

  it('unknown tools, exceptions and timeouts become error results', async () => {
    const { box, audit } = setup();
    const ctx = ctxFor('ws-a', ['aiops:read']);
    expect(await box.run('nope', {}, ctx)).toMatchObject({
      status: 'error',
      message: expect.stringContaining('echo, restart_everything, boom, slow'),
    });
    const thrown = await box.run('boom', {}, ctx);
    expect(thrown.status).toBe('error');
    expect(JSON.stringify(thrown)).not.toContain('/srv/x');
    expect(await box.run('slow', {}, ctx)).toMatchObject({ status: 'error', message: expect.stringContaining('did not answer') });
    expect(audit.events.map((e) => (e.details as { status?: string }).status)).toEqual(['error', 'error', 'timeout']);
  });

  it('withholds the result when the audit trail is unavailable', async () => {
    const { box, audit } = setup();
    audit.failing = true;
    expect(await box.run('echo', { text: 'hi' }, ctxFor('ws-a', ['aiops:read']))).toMatchObject({
      status: 'error',
      message: expect.stringContaining('audit'),
    });
  });

  it('only the test tool mutates', () => {
    expect(ALL_TOOLS.filter((t) => t.mutates)).toEqual([]);
    expect(ALL_TOOLS.map((t) => t.name)).toEqual([
      'workspace_overview',
      'query_metrics',
      'list_alerts',
      'list_events',
      'query_logs',
      'log_patterns',
      'security_events',
      'detect_anomalies',
      'forecast_capacity',
      'recommend_rightsizing',
      'check_compliance',
      'propose_remediation',
    ]);
  });
});

describe('output schemas', () => {
  let answer: unknown = { count: 2, items: ['a', 'b'] };
  const listing = defineTool({
    name: 'listing',
    description: 'answers whatever the test sets',
    scope: 'aiops:read',
    mutates: false,
    input: z.strictObject({ limit: z.number().default(10) }),
    output: z.object({ count: z.number().int(), items: z.array(z.string()), note: z.string().default('none') }),
    handler: async () => ok(answer as { count: number; items: string[]; note: string }),
    summarize: (data) => `${data.count} item(s)`,
    evidence: (data) => data.items.map((i) => ({ kind: 'item', ref: i, description: `item ${i}` })),
    subject: (data) => (data.count > 0 ? { actions: [], resources: [{ workload: data.items[0] }], findingIds: [] } : undefined),
  });

  it("passes a valid answer through untouched (never zod's parsed copy)", async () => {
    answer = { count: 2, items: ['a', 'b'], extra: true };
    const { box } = setup([listing] as unknown as ToolDefinition<never, unknown>[]);
    const r = await box.run('listing', {}, ctxFor('ws-a', ['aiops:read']));
    expect(r).toEqual({ status: 'ok', data: { count: 2, items: ['a', 'b'], extra: true } });
    expect((r as { data: unknown }).data).toBe(answer);
  });

  it('withholds an answer that does not match the output schema: an error result, audited and counted, never cached', async () => {
    const { LruQueryCache } = await import('../../../src/metrics/query-cache.js');
    answer = { count: 1.5, items: [1] };
    const audit = new FakeAuditLog();
    const invalid: string[] = [];
    const box = createToolBox(
      [listing] as unknown as ToolDefinition<never, unknown>[],
      { metrics: noMetrics, audit, now: () => NOW },
      {
        cache: new LruQueryCache(),
        onInvalidOutput: (tool) => invalid.push(tool),
      },
    );
    const ctx = ctxFor('ws-a', ['aiops:read']);
    const r = await box.run('listing', {}, ctx);
    expect(r).toEqual({
      status: 'error',
      message:
        'listing answered data that does not match its output schema, so the answer is withheld: count: Invalid input: expected int, received number; items.0: Invalid input: expected string, received number',
    });
    expect(invalid).toEqual(['listing']);
    expect(audit.events[0]?.details).toMatchObject({ status: 'error', error: r.status === 'error' ? r.message : '' });
    answer = { count: 1, items: ['x'] };
    expect(await box.run('listing', {}, ctx)).toEqual({ status: 'ok', data: { count: 1, items: ['x'] } });
  });

  it('audits the arguments as the tool read them (defaults filled in), or as given when they do not parse', async () => {
    answer = { count: 0, items: [] };
    const { box, audit } = setup([listing] as unknown as ToolDefinition<never, unknown>[]);
    const ctx = ctxFor('ws-a', ['aiops:read']);
    await box.run('listing', {}, ctx);
    await box.run('listing', { limit: 'x' }, ctx);
    await box.run('listing', {}, ctxFor('ws-a', ['aiops:analyze']));
    expect(audit.events.map((e) => (e.details as { arguments: unknown }).arguments)).toEqual([
      { limit: 10 },
      { limit: 'x' },
      { limit: 10 },
    ]);
  });

  it('call: the answer presented by its tool (summary, evidence, subject); other statuses by their message', async () => {
    answer = { count: 2, items: ['a', 'b'] };
    const { box } = setup([listing, boom] as unknown as ToolDefinition<never, unknown>[]);
    const ctx = ctxFor('ws-a', ['aiops:read']);
    expect(await box.call('listing', {}, ctx)).toEqual({
      result: { status: 'ok', data: answer },
      summary: '2 item(s)',
      evidence: [
        { kind: 'item', ref: 'a', description: 'item a' },
        { kind: 'item', ref: 'b', description: 'item b' },
      ],
      subject: { actions: [], resources: [{ workload: 'a' }], findingIds: [] },
    });
    const failed = await box.call('boom', {}, ctx);
    expect(failed).toEqual({ result: failed.result, summary: (failed.result as { message: string }).message, evidence: [] });
    const unknown = await box.call('nope', {}, ctx);
    expect(unknown.summary).toMatch(/^unknown tool "nope"/);
  });

  it('call with asJson: the answer as a model reads it, presented as such', async () => {
    answer = { count: 1, items: ['a'], at: new Date(NOW), gone: undefined, ratio: Number.NaN };
    const { box } = setup([listing] as unknown as ToolDefinition<never, unknown>[]);
    const { result } = await box.call('listing', {}, ctxFor('ws-a', ['aiops:read']), { asJson: true });
    expect(result).toEqual({ status: 'ok', data: { count: 1, items: ['a'], at: new Date(NOW).toISOString(), ratio: null } });
  });
});

describe('result cache', () => {
  it('caches read-only results per workspace and arguments, never mutating ones', async () => {
    const { LruQueryCache } = await import('../../../src/metrics/query-cache.js');
    const { createToolBox, defineTool, ok } = await import('../../../tools/index.js');
    const { z } = await import('zod');
    let reads = 0;
    let writes = 0;
    const read = defineTool({
      name: 'read_thing',
      description: 'r',
      scope: 'aiops:read',
      mutates: false,
      input: z.strictObject({ n: z.number() }),
      output: z.strictObject({ n: z.number(), reads: z.number() }),
      handler: async (i) => ok({ n: i.n, reads: ++reads }),
      summarize: (data) => `read ${data.n}`,
    });
    const write = defineTool({
      name: 'write_thing',
      description: 'w',
      scope: 'aiops:read',
      mutates: true,
      input: z.strictObject({}),
      output: z.strictObject({ writes: z.number() }),
      handler: async () => ok({ writes: ++writes }),
      summarize: (data) => `${data.writes} writes`,
    });
    const audit = { events: [] as unknown[], record: async (e: unknown) => void audit.events.push(e) };
    const box = createToolBox([read, write] as never, { metrics: {} as never, audit, now: Date.now }, { cache: new LruQueryCache() });
    const ctxFor = (workspaceId: string) => ({
      auth: {
        sub: 'u',
        workspaceId,
        permissions: ['aiops:read' as const],
        planType: 'shared' as const,
        orgIds: [],
        tokenType: 'aiops-contract' as const,
        expiresAt: 0,
        rawToken: 't',
      },
    });
    expect(await box.run('read_thing', { n: 1 }, ctxFor('ws-a'))).toEqual({ status: 'ok', data: { n: 1, reads: 1 } });
    expect(await box.run('read_thing', { n: 1 }, ctxFor('ws-a'))).toEqual({ status: 'ok', data: { n: 1, reads: 1 } }); // cached
    expect(await box.run('read_thing', { n: 2 }, ctxFor('ws-a'))).toEqual({ status: 'ok', data: { n: 2, reads: 2 } });
    expect(await box.run('read_thing', { n: 1 }, ctxFor('ws-b'))).toEqual({ status: 'ok', data: { n: 1, reads: 3 } }); // never across workspaces
    const approved = { ...ctxFor('ws-a'), approval: { approvedBy: 'bob', approvalId: 'a1' } };
    await box.run('write_thing', {}, approved);
    await box.run('write_thing', {}, approved);
    expect(writes).toBe(2);
    expect(audit.events).toHaveLength(6); // every call is audited, cached or not
  });
});
