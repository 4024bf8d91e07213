/** Errors of the LLM layer. Messages never carry prompts, keys or provider response bodies. */

/** One provider did not answer within the call's timeout. */
export class LlmTimeoutError extends Error {
  constructor(
    readonly provider: string,
    readonly timeoutMs: number,
  ) {
    super(`${provider} did not answer within ${timeoutMs} ms`);
    this.name = 'LlmTimeoutError';
  }
}

/** Every configured provider failed; `attempts` says how, in order. */
export class LlmUnavailableError extends Error {
  constructor(readonly attempts: readonly { provider: string; status: 'error' | 'timeout'; message: string }[]) {
    super(`no LLM provider answered: ${attempts.map((a) => `${a.provider} ${a.status} (${a.message})`).join('; ')}`);
    this.name = 'LlmUnavailableError';
  }
}

/** A short, single-line description of a provider error, safe for logs and audit. */
export function describeError(err: unknown): string {
  const e = err as { status?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
  const parts = [
    typeof e?.name === 'string' ? e.name : 'Error',
    typeof e?.status === 'number' ? `status ${e.status}` : '',
    typeof e?.cause?.code === 'string' ? e.cause.code : '',
    typeof e?.message === 'string' ? (e.message.split('\n')[0]?.slice(0, 200) ?? '') : '',
  ];
  return parts.filter(Boolean).join(': ');
}

/** The workspace's daily LLM budget is spent: no model call until `resetsAt` (callers take their deterministic path). */
export class LlmBudgetExhaustedError extends Error {
  constructor(
    readonly limit: 'llm_tokens_per_day' | 'llm_usd_per_day',
    readonly resetsAt: string,
    detail: string,
  ) {
    super(`this workspace's daily LLM budget is used up: ${detail}, until ${resetsAt}`);
    this.name = 'LlmBudgetExhaustedError';
  }
}
