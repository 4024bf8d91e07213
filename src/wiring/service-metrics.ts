/**
 * Part of the composition root: what the service does, on /metrics. LLM calls (provider, model,
 * outcome, fallback), their tokens, cost and latency; analysis runs by outcome; remediation state
 * changes; chat turns by outcome. Label values are fixed vocabularies or configured model names,
 * never a workspace id, user or free text, so the series count stays bounded whatever the tenants do.
 * Each piece is a listener the builders take (`onAttempt`, `onSettled`, `onTurnEnd`, the decisions'
 * subscriptions): the libraries know nothing of prom-client.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RunView } from '../../agents/runs.js';
import type { LlmAttempt } from '../llm/chat-llm.js';
import type { RemediationDecisions } from '../remediation/decisions.js';

export interface ServiceMetricListeners {
  llmAttempt(attempt: LlmAttempt): void;
  runSettled(view: RunView): void;
  chatTurn(outcome: string, durationMs: number): void;
  /** Counts proposals and decisions from now on. */
  watchRemediations(decisions: RemediationDecisions): void;
}

export function serviceMetrics(registry: Registry): ServiceMetricListeners {
  const registers = [registry];
  const llmCalls = new Counter({
    name: 'aiops_llm_calls_total',
    help: 'LLM provider attempts by provider, model, outcome (ok, error, timeout) and whether it was the fallback',
    labelNames: ['provider', 'model', 'outcome', 'fallback'] as const,
    registers,
  });
  const llmTokens = new Counter({
    name: 'aiops_llm_tokens_total',
    help: 'Tokens of successful LLM calls by provider, model and direction (input, output)',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers,
  });
  const llmCost = new Counter({
    name: 'aiops_llm_cost_usd_total',
    help: 'Estimated cost of LLM calls in US dollars (src/llm/pricing.ts; 0 for Ollama)',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const llmDuration = new Histogram({
    name: 'aiops_llm_call_duration_seconds',
    help: 'Duration of LLM provider attempts',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers,
  });
  const runs = new Counter({
    name: 'aiops_analysis_runs_total',
    help: 'Analysis runs that settled, by status (completed, failed, awaiting_approval, …)',
    labelNames: ['status'] as const,
    registers,
  });
  const remediations = new Counter({
    name: 'aiops_remediation_transitions_total',
    help: 'Remediation state changes: proposed (pending_approval), approved, rejected, expired, and executions completed or failed',
    labelNames: ['to'] as const,
    registers,
  });
  const turns = new Counter({
    name: 'aiops_chat_turns_total',
    help: 'Chat turns by outcome (completed, failed, timeout, cancelled)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const turnDuration = new Histogram({
    name: 'aiops_chat_turn_duration_seconds',
    help: 'Duration of chat turns',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });

  return {
    llmAttempt(a) {
      llmCalls.inc({ provider: a.provider, model: a.model, outcome: a.status, fallback: String(a.fallbackUsed) });
      llmDuration.observe({ provider: a.provider, outcome: a.status }, a.latencyMs / 1000);
      if (a.status !== 'ok') return;
      llmTokens.inc({ provider: a.provider, model: a.model, direction: 'input' }, a.inputTokens);
      llmTokens.inc({ provider: a.provider, model: a.model, direction: 'output' }, a.outputTokens);
      llmCost.inc({ provider: a.provider, model: a.model }, a.costUsd);
    },
    runSettled(view) {
      runs.inc({ status: view.status });
    },
    chatTurn(outcome, durationMs) {
      turns.inc({ outcome });
      turnDuration.observe(durationMs / 1000);
    },
    watchRemediations(decisions) {
      decisions.onProposed(() => remediations.inc({ to: 'pending_approval' }));
      decisions.subscribe(async (event) => {
        if (event.decision.by === 'system:expiry') remediations.inc({ to: 'expired' });
        else remediations.inc({ to: event.decision.decision });
        if (event.outcome) remediations.inc({ to: event.outcome.status === 'completed' ? 'completed' : 'failed' });
      });
    },
  };
}
