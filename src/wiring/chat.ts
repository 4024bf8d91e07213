/**
 * Part of the composition root: diagnostic chat. The conversation graph works with the agent kit it
 * shares with the analysis (src/wiring/agent-kit.ts): LLM layer, prompts, tool dependencies
 * (metrics, audit, control plane) and tool cache, and the checkpointer (PostgreSQL when DATABASE_URL is set, the SQLite file otherwise), so a thread
 * continues on any replica. The thread index lives beside it: the `aiops_chat.chat_threads` table of
 * the same PostgreSQL database, or a table in the same SQLite file. The remediation service, when
 * given, turns chat proposals into pending remediations (adapted by `chatRemediationProposer`).
 */
import type pg from 'pg';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { buildChatGraph } from '../../agents/chat/graph.js';
import { ChatService } from '../../agents/chat/service.js';
import type { RemediationProposer } from '../chat/remediation-port.js';
import { postgresThreadStore } from '../chat/thread-store-postgres.js';
import { sqliteThreadStore } from '../chat/thread-store-sqlite.js';
import type { ThreadStore } from '../chat/thread-store.js';
import type { Config } from '../config.js';
import type { RemediationService } from '../remediation/service.js';
import { createChatToolBox } from '../../tools/index.js';
import type { AgentKit } from './agent-kit.js';
import type { Limits } from './limits.js';
import type { AuthContext } from '../auth/auth-context.js';

/** The remediation service as chat's RemediationProposer (src/chat/remediation-port.ts). */
export function chatRemediationProposer(service: RemediationService): RemediationProposer {
  return {
    async propose(auth, request) {
      const { remediation } = await service.propose(
        auth,
        {
          actions: request.actions,
          ...(request.reason ? { reason: request.reason.slice(0, 2000) } : {}),
          ...(request.issue_id ? { issue_id: request.issue_id } : {}),
        },
        { source: request.source },
      );
      return remediation;
    },
    approve: (auth, id, comment) => service.approve(auth, id, comment ? { comment } : {}),
    reject: (auth, id, comment) => service.reject(auth, id, comment ? { comment } : {}),
  };
}

export function buildChat(
  config: Config,
  kit: AgentKit,
  deps: {
    postgres?: pg.Pool;
    proposer?: RemediationProposer;
    now?: () => number;
    onError?: (threadId: string, err: unknown) => void;
    /** Told how each turn ended (the service's metrics). */
    onTurnEnd?: (outcome: string, durationMs: number) => void;
    /** Concurrent turns per workspace (src/wiring/limits.ts). */
    turns?: Limits['chatTurns'];
  },
): { service: ChatService } {
  // Conversation times are wall-clock time (the tools keep the analysis clock of toolDeps).
  const now = deps.now ?? Date.now;
  const saver = kit.checkpointer.saver;
  let store: ThreadStore;
  if (deps.postgres) store = postgresThreadStore(deps.postgres);
  else if (saver instanceof SqliteSaver) store = sqliteThreadStore(saver.db);
  else throw new Error('chat needs PostgreSQL (DATABASE_URL) or the SQLite checkpointer for its thread index');
  const toolbox = createChatToolBox(kit.toolDeps, kit.toolOptions);
  const graph = buildChatGraph(
    {
      toolbox,
      prompts: kit.prompts,
      now,
      maxSteps: config.chat.maxSteps,
      contextTokens: config.chat.contextTokens,
      ...(kit.llm ? { llm: kit.llm } : {}),
      ...(deps.proposer ? { proposer: deps.proposer } : {}),
    },
    saver,
  );
  const tracing = kit.tracing;
  const service = new ChatService(graph, store, {
    now,
    maxSteps: config.chat.maxSteps,
    beforeUse: () => kit.checkpointer.ensureReady(),
    turnTimeoutMs: config.compute.chatTurnTimeoutMs,
    ...(tracing
      ? {
          // The trace carries the request id of the audit rows (and shares their trace id: agents/chat/service.ts).
          callbacksFor: (threadId: string, auth: { sub: string }, request: { requestId?: string }) =>
            tracing.callbacks({
              sessionId: threadId,
              userId: auth.sub,
              tags: ['chat'],
              ...(request.requestId ? { metadata: { request_id: request.requestId } } : {}),
            }),
        }
      : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
    ...(deps.onTurnEnd ? { onTurnEnd: deps.onTurnEnd } : {}),
    ...(deps.turns ? { admit: (auth: AuthContext) => deps.turns!.admit(auth) } : {}),
  });
  return { service };
}
