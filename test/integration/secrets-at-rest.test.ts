/**
 * Secrets typed into a chat message or a remediation (reason, parameters, decision comment), or
 * returned by a tool, are not stored as typed: every row of the real stores is read back raw — the
 * chat checkpoints and thread index, the remediation table — in SQLite files and in a PostgreSQL
 * database created for this run. Each dump must hold the redaction marker and the harmless text
 * around the secrets (so the test would see them if they were there), and none of the secrets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChatGraph } from '../../agents/chat/graph.js';
import { ChatService } from '../../agents/chat/service.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { postgresThreadStore } from '../../src/chat/thread-store-postgres.js';
import { sqliteThreadStore } from '../../src/chat/thread-store-sqlite.js';
import type { ThreadStore } from '../../src/chat/thread-store.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { createPromptLibrary, defaultPromptsDir } from '../../src/prompts/index.js';
import { MemoryExecutionBudget, MemoryTargetLocks } from '../../src/remediation/guards.js';
import { RemediationService } from '../../src/remediation/service.js';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { SqlRemediationStore } from '../../src/remediation/store.js';
import { defineTool, ok } from '../../tools/define-tool.js';
import { CHAT_TOOLS, createToolBox, type ToolDefinition } from '../../tools/index.js';
import { z } from 'zod';
import { collectingAudit, fakeChatLlm } from '../helpers/fake-llm.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl';
const SECRETS = ['hunter2-do-not-store', 'sk-abcdefghijklmnopqrstuvwx', JWT, 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'];
const TYPED = `the checkout db is slow since the rotation; password=hunter2-do-not-store, my key sk-abcdefghijklmnopqrstuvwx, token ${JWT}`;

const auth = (sub: string): AuthContext => ({
  sub,
  workspaceId: 'ws-a',
  permissions: ['aiops:read', 'aiops:analyze', 'aiops:remediate'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: NOW / 1000 + 600,
  rawToken: `token-of-${sub}`,
});

/** A tool whose answer carries a credential (as a misconfigured label or annotation might). */
const leakyTool = defineTool({
  name: 'read_runbook',
  description: 'Reads the runbook of the workspace',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({}),
  output: z.strictObject({ runbook: z.string() }),
  summarize: () => 'read_runbook answered',
  handler: async () =>
    ok({
      runbook:
        'the runbook says: connect with postgres://app:hunter2-do-not-store@db:5432/app and GitHub token ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    }),
});

interface Stack {
  chat: ChatService;
  remediations: RemediationService;
  /** Every stored row of every table, as text. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

function buildServices(saver: SqliteSaver | PostgresSaver, threads: ThreadStore, store: SqlRemediationStore) {
  const audit = collectingAudit();
  const metrics = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace('ws-a', ['memory_leak'])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  const model = fakeModel()
    .respondWithTools([{ name: 'read_runbook', args: {} }])
    .respond(new AIMessage('The runbook has connection details; rotate them.'));
  const graph = buildChatGraph(
    {
      toolbox: createToolBox([...CHAT_TOOLS, leakyTool as unknown as ToolDefinition<never, unknown>], { metrics, audit, now: () => NOW }),
      llm: fakeChatLlm(model, audit),
      prompts: createPromptLibrary(defaultPromptsDir()),
      now: () => NOW,
      maxSteps: 4,
      contextTokens: 8000,
    },
    saver,
  );
  const chat = new ChatService(graph, threads, { now: () => NOW, maxSteps: 4 });
  const remediations = new RemediationService({
    store,
    locks: new MemoryTargetLocks(),
    budget: new MemoryExecutionBudget(100),
    audit,
    controlPlane: { send: async () => ({ status: 200, body: { ok: true } }) },
    policy: {
      approvalTtlMs: 60_000,
      fourEyes: false,
      maxReplicas: 10,
      maxReplicasOverride: 100,
      maxPending: 20,
      autoApproveActions: [],
      lockTtlMs: 60_000,
    },
    now: () => NOW,
  });
  return { chat, remediations };
}

async function exercise(stack: Stack): Promise<string> {
  const turn = await stack.chat.startTurn(auth('alice'), { message: TYPED });
  const events = [];
  for await (const e of turn.events) events.push(e);
  expect(events.map((e) => e.event)).toContain('answer');
  const { remediation } = await stack.remediations.propose(
    auth('alice'),
    {
      issue_id: 'INC-7 token=hunter2-do-not-store',
      reason: TYPED,
      actions: [
        {
          action_type: 'acknowledge_alert',
          target_resource: 'alert/a1',
          parameters: { comment: `rotated; old api_key=sk-abcdefghijklmnopqrstuvwx` },
          reason: `seen with ${JWT}`,
        },
      ],
    },
    { source: { kind: 'api' } },
  );
  await stack.remediations.approve(auth('bob'), remediation.id, { comment: 'ok, new password: hunter2-do-not-store' });
  return stack.dump();
}

function expectRedacted(dump: string): void {
  // What was typed around the secrets is there (so the dump would show them) …
  expect(dump).toContain('the checkout db is slow since the rotation');
  expect(dump).toContain('the runbook says');
  expect(dump).toContain('rotated; old api_key=');
  expect(dump).toContain('[redacted]');
  // … and the secrets are not.
  for (const secret of SECRETS) expect(dump, secret).not.toContain(secret);
}

describe('SQLite stores', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aiops-secrets-'));
  let stack: Stack;
  beforeAll(() => {
    const chatDb = new BetterSqlite3(path.join(dir, 'checkpoints.sqlite'));
    const remDb = new BetterSqlite3(path.join(dir, 'remediations.sqlite'));
    const { chat, remediations } = buildServices(
      new SqliteSaver(chatDb),
      sqliteThreadStore(chatDb),
      new SqlRemediationStore(sqliteDriver(remDb)),
    );
    const dumpDb = (db: BetterSqlite3.Database) => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.map((t) => rowsText(db.prepare(`SELECT * FROM "${t.name}"`).all() as Record<string, unknown>[])).join('\n');
    };
    stack = {
      chat,
      remediations,
      dump: async () => `${dumpDb(chatDb)}\n${dumpDb(remDb)}`,
      close: async () => {
        chatDb.close();
        remDb.close();
      },
    };
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('store chat messages, tool results and remediations with their secrets masked', async () => {
    expectRedacted(await exercise(stack));
  });
});

describe('PostgreSQL stores', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let stack: Stack;
  beforeAll(async () => {
    database = await createTestDatabase('aiops_secrets_test');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const saver = new PostgresSaver(pool, undefined, { schema: 'aiops_checkpoints' });
    await saver.setup();
    const threads = postgresThreadStore(pool);
    await threads.ensureReady();
    const { chat, remediations } = buildServices(saver, threads, new SqlRemediationStore(postgresDriver(pool)));
    const dump = async () => {
      const { rows: tables } = await pool.query<{ s: string; t: string }>(
        "SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'",
      );
      const parts = await Promise.all(tables.map(async ({ s, t }) => rowsText((await pool.query(`SELECT * FROM "${s}"."${t}"`)).rows)));
      return parts.join('\n');
    };
    stack = { chat, remediations, dump, close: () => pool.end() };
  });
  afterAll(async () => {
    await stack?.close();
    await database?.drop(); // waits for the closed pool's sockets before any FORCE (an unhandled 57P01 otherwise)
  });

  it('store chat messages, tool results and remediations with their secrets masked', async () => {
    expectRedacted(await exercise(stack));
  });
});

/** Rows as text, binary columns (checkpoint blobs) decoded as UTF-8. */
function rowsText(rows: Record<string, unknown>[]): string {
  return rows
    .map((row) =>
      Object.values(row)
        .map((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v)))
        .join(' | '),
    )
    .join('\n');
}
