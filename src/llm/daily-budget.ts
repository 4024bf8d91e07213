/**
 * The daily LLM budget of a workspace (tokens and cost per UTC day, by plan) around a ChatLlm:
 * checked before each model call, charged with the call's real usage after it. A spent budget
 * refuses the call with LlmBudgetExhaustedError, which every caller already treats like an
 * unavailable model: the analysis and the chat continue in their deterministic mode and say so.
 * Concurrent calls may overshoot by what is in flight (the check and the charge are not one step);
 * a ledger that cannot be read admits the call (the budget is a cost guard, not a security boundary).
 */
import type { PlanType } from '../limits/plan-limits.js';
import { nextUtcMidnight, utcDay, type LlmUsageLedger } from '../limits/llm-ledger.js';
import { LlmBudgetExhaustedError } from './errors.js';
import { callCostUsd } from './pricing.js';
import type { ChatLlm, LlmCallOptions, LlmResult } from './types.js';

export interface DailyBudgetOptions {
  ledger: LlmUsageLedger;
  limitsFor: (plan: PlanType) => { llm_tokens_per_day: number; llm_usd_per_day: number };
  /** Wall clock (the day boundary is UTC midnight). */
  now?: () => number;
  /** A call refused because the budget is spent. */
  onExhausted?: (call: LlmCallOptions, limit: LlmBudgetExhaustedError['limit']) => void;
  warn?: (msg: string) => void;
}

export function withDailyBudget(llm: ChatLlm, options: DailyBudgetOptions): ChatLlm {
  const now = options.now ?? Date.now;
  return {
    providers: llm.providers,
    async invoke(messages, call): Promise<LlmResult> {
      const workspace = call.auth.workspaceId;
      const at = now();
      const day = utcDay(at);
      const limits = options.limitsFor(call.auth.planType);
      const spent = await options.ledger.read(workspace, day).catch((err: Error) => {
        options.warn?.(`LLM budget ledger unavailable, call admitted: ${err.message}`);
        return { tokens: 0, usd: 0 };
      });
      const resetsAt = new Date(nextUtcMidnight(at)).toISOString();
      if (spent.tokens >= limits.llm_tokens_per_day) {
        options.onExhausted?.(call, 'llm_tokens_per_day');
        throw new LlmBudgetExhaustedError(
          'llm_tokens_per_day',
          resetsAt,
          `${limits.llm_tokens_per_day} tokens a day on the ${call.auth.planType} plan`,
        );
      }
      if (spent.usd >= limits.llm_usd_per_day) {
        options.onExhausted?.(call, 'llm_usd_per_day');
        throw new LlmBudgetExhaustedError(
          'llm_usd_per_day',
          resetsAt,
          `${limits.llm_usd_per_day} USD a day on the ${call.auth.planType} plan`,
        );
      }
      const result = await llm.invoke(messages, call);
      const { inputTokens, outputTokens } = result.usage;
      await options.ledger
        .add(workspace, day, {
          tokens: inputTokens + outputTokens,
          usd: callCostUsd(result.provider, result.model, inputTokens, outputTokens),
        })
        .catch((err: Error) => options.warn?.(`LLM usage not charged to the daily budget: ${err.message}`));
      return result;
    },
  };
}
