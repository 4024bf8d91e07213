/**
 * Runs tools by name with every shared concern applied once: the tool must exist, the caller's
 * token must grant its scope, the arguments must match its schema (otherwise the model gets the
 * expected schema back), a mutating tool needs a human approval, the answer must match the tool's
 * output schema, the call is timed and audited, and nothing is thrown out of `run`. It is the one
 * door to the tools for both graphs: `call` is `run` as a tool span of the caller's trace, with the
 * answer presented by its tool (summary, evidence, subject), so no caller reads a tool's data to
 * describe it.
 */
import { getCallbackManagerForConfig, type RunnableConfig } from '@langchain/core/runnables';
import { z } from 'zod';
import { redact } from '../src/audit/redact.js';
import { hasPermission, type Permission } from '../src/auth/permissions.js';
import { createHash } from 'node:crypto';
import type { QueryCache } from '../src/metrics/query-cache.js';
import { abortReasonText, isTimeoutReason } from '../src/budget/abort-reason.js';
import { fail } from './define-tool.js';
import { present, type ToolPresentation } from './presentation.js';
import type { ToolContext, ToolDefinition, ToolDeps, ToolResult } from './tool.js';

/** An answer with its tool's reading of it. */
export interface ToolCallOutcome extends ToolPresentation {
  result: ToolResult;
}

/** Runs tools by name with every shared concern applied (scope, validation, audit, timing). */
export interface ToolBox {
  /** The tools of this box, as a model is offered them. */
  list(): readonly ToolDefinition[];
  run(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult>;
  /** `run` as a tool span of the caller's trace, the answer presented by its tool. */
  call(name: string, args: unknown, ctx: ToolContext, options?: ToolCallOptions): Promise<ToolCallOutcome>;
}

export interface ToolCallOptions {
  /** The caller's runnable config: the call becomes a tool span of its trace (when it has callbacks). */
  trace?: RunnableConfig;
  /**
   * Read the answer as JSON, as a model is shown it (NaN and ±Infinity become null, undefined fields
   * disappear), and present that: for callers that quote answers to people or models. Not for answers
   * whose samples must stay numbers (fetch_series).
   */
  asJson?: boolean;
}

export interface ToolBoxOptions {
  /** A handler running longer than this is stopped (its signal aborts) with a `timeout` result (default 60 s). */
  timeoutMs?: number;
  /** Read-only results are cached here (Redis across replicas, or in-process), per workspace and arguments. */
  cache?: QueryCache;
  /** Lifetime of a cached read-only result (default 30 s): tools read "now", so answers age quickly. */
  cacheTtlSeconds?: number;
  /** Told of every answer withheld because it did not match its tool's output schema (a metric counts them). */
  onInvalidOutput?: (tool: string) => void;
}

type AuditStatus = 'ok' | 'error' | 'denied' | 'timeout';
type Outcome = { result: ToolResult; status: AuditStatus; error?: string };

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

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** `path: message; …` of (the first `max`) issues, for a message. */
function issuesLine(issues: readonly { path: string; message: string }[], max = Infinity): string {
  const line = issues
    .slice(0, max)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');
  return issues.length > max ? `${line}; …` : line;
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
        ...(ctx.channel ? { channel: ctx.channel } : {}),
        required_scope: scope,
        arguments: auditArguments(args),
        status,
        duration_ms: Math.min(86_400_000, Math.max(0, deps.now() - started)),
        ...(error ? { error: error.slice(0, 2000) } : {}),
      },
    });
  }

  /** An `ok` answer that does not match its tool's output schema is withheld: no caller reads a shape it was not promised. */
  function checkOutput(def: ToolDefinition, result: ToolResult): Outcome {
    const checked = result.status === 'ok' ? def.output.safeParse(result.data) : undefined;
    if (!checked || checked.success)
      return {
        result,
        status: result.status === 'error' ? 'error' : 'ok',
        ...(result.status === 'error' ? { error: result.message } : {}),
      };
    options.onInvalidOutput?.(def.name);
    const message = `${def.name} answered data that does not match its output schema, so the answer is withheld: ${issuesLine(issuesOf(checked.error), 3)}`;
    return { result: fail(message), status: 'error', error: message };
  }

  async function execute(
    def: ToolDefinition,
    parsed: ReturnType<ToolDefinition['input']['safeParse']>,
    ctx: ToolContext,
  ): Promise<Outcome> {
    if (!hasPermission(ctx.auth.permissions, def.scope)) {
      const message = `missing scope: ${def.name} needs ${def.scope}`;
      return { result: fail(message, { required_scope: def.scope }), status: 'denied', error: message };
    }
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const message = `invalid arguments for ${def.name}: ${issuesLine(issues)}`;
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
      const outcome = checkOutput(def, await Promise.race([def.handler(parsed.data, { ...ctx, signal }, deps), timeout]));
      const { result } = outcome;
      if (key && (result.status === 'ok' || result.status === 'no_data'))
        await options.cache!.set(key, JSON.stringify(result), options.cacheTtlSeconds ?? 30);
      return outcome;
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

  async function run(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
    const started = deps.now();
    const def = byName.get(name);
    const parsed = def?.input.safeParse(args);
    let outcome: Outcome;
    if (!def || !parsed) {
      const message = `unknown tool "${String(name).slice(0, 100)}"; available tools: ${[...byName.keys()].join(', ')}`;
      outcome = { result: fail(message, { available_tools: [...byName.keys()] }), status: 'error', error: message };
    } else {
      outcome = await execute(def, parsed, ctx);
    }
    // The arguments as the tool read them (defaults filled in), or as given when they do not parse.
    const audited = parsed?.success ? parsed.data : args;
    try {
      await audit(ctx, def?.name ?? String(name), def?.scope ?? 'aiops:read', audited, outcome.status, started, outcome.error);
    } catch {
      // Fail closed: an unaudited result is withheld.
      return fail('the audit trail is unavailable, so the tool result is withheld; try again later');
    }
    return outcome.result;
  }

  return {
    list: () => [...byName.values()],
    run,
    async call(name, args, ctx, { trace, asJson } = {}) {
      const span = trace
        ? await (
            await getCallbackManagerForConfig(trace)
          )?.handleToolStart(
            { lc: 1, type: 'not_implemented', id: ['tools', name] },
            JSON.stringify(args),
            undefined,
            undefined,
            undefined,
            undefined,
            name,
          )
        : undefined;
      const answer = await run(name, args, ctx);
      const result = asJson ? (JSON.parse(JSON.stringify(answer)) as ToolResult) : answer;
      const presented = present(byName.get(name), result);
      await span?.handleToolEnd(result.status === 'ok' ? `ok: ${presented.summary}` : `${result.status}: ${result.message}`);
      return { result, ...presented };
    },
  };
}
