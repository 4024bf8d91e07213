/**
 * Part of the composition root: the LLM layer and its tracing from the configuration. No provider
 * configured → no ChatLlm (every caller takes its deterministic path); Langfuse keys + host set →
 * tracing (the OTel SDK starts here, when called, never at import).
 */
import type { AuditLog } from '../audit/event.js';
import type { Config } from '../config.js';
import { createChatLlm, type LlmAttempt } from '../llm/chat-llm.js';
import type { KnownNames } from '../llm/anonymized-provider.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { createTracing, type LlmTracing } from '../llm/tracing.js';
import type { ChatLlm } from '../llm/types.js';

export function buildChatLlm(
  config: Config,
  deps: {
    audit: AuditLog;
    tracing?: LlmTracing;
    onAttempt?: (attempt: LlmAttempt) => void;
    metrics?: MetricsSource;
    /** The analysis clock (the time the vocabulary is read at; tests pin it). */
    now?: () => number;
  },
): ChatLlm | undefined {
  const { llm } = config;
  return createChatLlm({
    ollama: llm.ollamaBaseUrl ? { baseUrl: llm.ollamaBaseUrl, model: llm.ollamaModel } : undefined,
    openai: llm.openaiApiKey ? { apiKey: llm.openaiApiKey, baseUrl: llm.openaiBaseUrl, model: llm.openaiModel } : undefined,
    timeoutMs: llm.timeoutMs,
    audit: deps.audit,
    tracing: deps.tracing,
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    anonymize: llm.anonymize,
    ...(deps.metrics && llm.anonymize !== 'never' ? { knownNames: workspaceNames(deps.metrics, deps.now ?? Date.now) } : {}),
  });
}

/** Starts Langfuse tracing when LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY and LANGFUSE_HOST are all set; call `shutdown()` on close. */
export function buildTracing(config: Config, release?: string): Promise<LlmTracing | undefined> {
  return createTracing({ ...config.langfuse, environment: config.env, release });
}

/** Labels of the workspace's series that name things of it, as anonymisation's vocabulary. */
const NAME_LABELS: Readonly<Record<string, string>> = {
  namespace: 'namespace',
  pod: 'pod',
  container: 'container',
  node: 'node',
  created_by_name: 'workload',
};
const NAMES_TTL_MS = 5 * 60_000;
const MAX_NAMES = 2000;

/**
 * The workspace's known names, from the labels of its running containers (the `container_info`
 * catalog query: one series per container, confined like every read), cached per workspace for a few
 * minutes and bounded, so a name the user types before any tool answered is hidden too. A failing
 * read gives nothing (anonymisation then relies on the messages alone).
 */
function workspaceNames(metrics: MetricsSource, clock: () => number): KnownNames {
  const cache = new Map<string, { at: number; names: Promise<{ kind: string; value: string }[]> }>();
  return (auth) => {
    const now = clock();
    const hit = cache.get(auth.workspaceId);
    if (hit && now - hit.at < NAMES_TTL_MS) return hit.names;
    const names = metrics
      .instant({ workspaceId: auth.workspaceId }, { kind: 'catalog', name: 'container_info', args: {} }, now / 1000)
      .then(({ data }) => {
        const seen = new Map<string, string>();
        for (const series of data.result as { metric: Record<string, string> }[])
          for (const [label, kind] of Object.entries(NAME_LABELS)) {
            const value = series.metric[label];
            if (value && !seen.has(value)) seen.set(value, kind);
          }
        return [...seen].slice(0, MAX_NAMES).map(([value, kind]) => ({ kind, value }));
      })
      .catch(() => []);
    if (cache.size > 10_000) cache.clear();
    cache.set(auth.workspaceId, { at: now, names });
    return names;
  };
}
