/**
 * List prices of common OpenAI chat models in USD per million tokens (input, output), from
 * openai.com/api/pricing as of 2025. Matched by the longest prefix, so dated snapshots
 * (`gpt-4o-mini-2024-07-18`) price like their family. Unknown models and every Ollama model cost 0:
 * local inference has no per-token price. Update this table when prices change.
 */
const OPENAI_USD_PER_MTOK: readonly (readonly [prefix: string, input: number, output: number])[] = [
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-4-turbo', 10, 30],
  ['gpt-3.5-turbo', 0.5, 1.5],
  ['o4-mini', 1.1, 4.4],
  ['o3-mini', 1.1, 4.4],
  ['o3', 2, 8],
];

/** The cost of one call in USD (0 for Ollama and for models not in the table). */
export function callCostUsd(provider: 'ollama' | 'openai', model: string, inputTokens: number, outputTokens: number): number {
  if (provider !== 'openai') return 0;
  let best: (typeof OPENAI_USD_PER_MTOK)[number] | undefined;
  for (const row of OPENAI_USD_PER_MTOK) {
    if (model.startsWith(row[0]) && (!best || row[0].length > best[0].length)) best = row;
  }
  if (!best) return 0;
  return (inputTokens * best[1] + outputTokens * best[2]) / 1_000_000;
}
