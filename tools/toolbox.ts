/**
 * Runs tools by name with every shared concern applied once: the tool must exist, the caller's
 * token must grant its scope, the arguments must match its schema (otherwise the model gets the
 * expected schema back), a mutating tool needs a human approval, the call is timed and audited, and
 * nothing is thrown out of `run`.
 */
import { z } from 'zod';
import { redact } from '../src/audit/redact.js';
import { hasPermission, type Permission } from '../src/auth/permissions.js';
import { createHash } from 'node:crypto';
import type { QueryCache } from '../src/metrics/query-cache.js';
import { abortReasonText, isTimeoutReason } from '../src/budget/abort-reason.js';
import { fail } from './define-tool.js';
import type { ToolBox, ToolContext, ToolDefinition, ToolDeps, ToolResult } from './tool.js';

export interface ToolBoxOptions {
  /** A handler running longer than this is stopped (its signal aborts) with a `timeout` result (default 60 s). */
  timeoutMs?: number;
  /** Read-only results are cached here (Redis across replicas, or in-process), per workspace and arguments. */
  cache?: QueryCache;
  /** Lifetime of a cached read-only result (default 30 s): tools read "now", so answers age quickly. */
  cacheTtlSeconds?: number;
}

type AuditStatus = 'ok' | 'error' | 'denied' | 'timeout';

class ToolTimeout extends Error {}

export function expectedSchema(def: ToolDefinition): unknown {
  try {
    return z.toJSONSchema(def.input as z.ZodType, { io: 'input', unrepresentable: 'any' });
  } catch {
    return undefined;
  }
}

/** Arguments as recorded: an object (wrapped otherwise), secrets masked. */
function auditArguments(args: unknown): Record<string, unknown> {
  const obj = typeof args === 'object' && args !== null && !Array.isArray(args) ? args : { value: args };
  return redact(obj) as Record<string, unknown>;
}

/** The workspace is part of the key on its own: a cached answer never crosses workspaces. */
function cacheKey(workspaceId: string, tool: string, args: unknown): string {
  return `tool:${createHash('sha256')
    .update(JSON.stringify([workspaceId, tool, args]))
    .digest('hex')}`;
}

export function createToolBox(tools: readonly ToolDefinition<never, unknown>[], deps: ToolDeps, options: ToolBoxOptions = {}): ToolBox {
  const byName = new Map<string, ToolDefinition>(tools.map((t) => [t.name, t as unknown as ToolDefinition]));
  if (byName.size !== tools.length) throw new Error('tool names must be unique');
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function audit(
    ctx: ToolContext,
    tool: string,
    scope: Permission,
    args: unknown,
    status: AuditStatus,
    started: number,
    error?: string,
  ): Promise<void> {
    await deps.audit.record({
      event_type: 'tool_call',
      user_id: ctx.auth.sub,
      workspace_id: ctx.auth.workspaceId,
      organization_id: ctx.auth.orgIds[0] ?? '',
      resource_id: tool,
      initiated_by: 'AIOpsAgent',
      request_id: ctx.requestId ?? '',
      trace_id: ctx.traceId ?? '',
      details: {
        tool: tool.slice(0, 256),
        required_scope: scope,
        arguments: auditArguments(args),
        status,
        duration_ms: Math.min(86_400_000, Math.max(0, deps.now() - started)),
        ...(error ? { error: error.slice(0, 2000) } : {}),
      },
    });
  }

  async function execute(
    def: ToolDefinition,
    args: unknown,
    ctx: ToolContext,
  ): Promise<{ result: ToolResult; status: AuditStatus; error?: string }> {
    if (!hasPermission(ctx.auth.permissions, def.scope)) {
      const message = `missing scope: ${def.name} needs ${def.scope}`;
      return { result: fail(message, { required_scope: def.scope }), status: 'denied', error: message };
    }
    const parsed = def.input.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      const message = `invalid arguments for ${def.name}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`;
      return {
        result: { status: 'error', message, expected_schema: expectedSchema(def), details: { issues } },
        status: 'error',
        error: message,
      };
    }
    if (def.mutates && !ctx.approval) {
      return {
        result: {
          status: 'approval_required',
          message: `${def.name} changes the workspace: a human with aiops:remediate must approve it first`,
          proposal: { tool: def.name, arguments: parsed.data },
        },
        status: 'ok',
      };
    }
    const key =
      !def.mutates && def.cacheable !== false && options.cache ? cacheKey(ctx.auth.workspaceId, def.name, parsed.data) : undefined;
    if (key) {
      const hit = await options.cache!.get(key);
      if (hit !== undefined) return { result: JSON.parse(hit) as ToolResult, status: 'ok' };
    }
    let timer: NodeJS.Timeout | undefined;
    // The handler's signal: the caller's (run or turn budget, client gone) or the tool's own timeout.
    const ownTimeout = new AbortController();
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, ownTimeout.signal]) : ownTimeout.signal;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          ownTimeout.abort(new ToolTimeout());
          reject(new ToolTimeout());
        }, timeoutMs);
      });
      const result = await Promise.race([def.handler(parsed.data, { ...ctx, signal }, deps), timeout]);
      if (key && (result.status === 'ok' || result.status === 'no_data'))
        await options.cache!.set(key, JSON.stringify(result), options.cacheTtlSeconds ?? 30);
      return {
        result,
        status: result.status === 'error' ? 'error' : 'ok',
        ...(result.status === 'error' ? { error: result.message } : {}),
      };
    } catch (err) {
      if (err instanceof ToolTimeout)
        return { result: fail(`${def.name} did not answer within ${timeoutMs / 1000} s`), status: 'timeout', error: 'timeout' };
      if (ctx.signal?.aborted) {
        const why = abortReasonText(ctx.signal.reason);
        return {
          result: fail(`${def.name} was stopped: ${why}`),
          status: isTimeoutReason(ctx.signal.reason) ? 'timeout' : 'error',
          error: `stopped: ${why}`,
        };
      }
      const name = err instanceof Error ? err.name : 'Error';
      return {
        result: fail(`${def.name} failed unexpectedly (${name}); try again or use another tool`),
        status: 'error',
        error: err instanceof Error ? err.message : String(err),
      };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  return {
    list: () => [...byName.values()],
    async run(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
      const started = deps.now();
      const def = byName.get(name);
      let outcome: { result: ToolResult; status: AuditStatus; error?: string };
      if (!def) {
        const message = `unknown tool "${String(name).slice(0, 100)}"; available tools: ${[...byName.keys()].join(', ')}`;
        outcome = { result: fail(message, { available_tools: [...byName.keys()] }), status: 'error', error: message };
      } else {
        outcome = await execute(def, args, ctx);
      }
      try {
        await audit(ctx, def?.name ?? String(name), def?.scope ?? 'aiops:read', args, outcome.status, started, outcome.error);
      } catch {
        // Fail closed: an unaudited result is withheld.
        return fail('the audit trail is unavailable, so the tool result is withheld; try again later');
      }
      return outcome.result;
    },
  };
}
