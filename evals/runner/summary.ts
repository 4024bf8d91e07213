/**
 * Aggregates of a run: pass rate overall and by difficulty, category and tag, scorer tallies,
 * latency percentiles and token totals; and the one summary line every run ends with.
 */
import type { CaseResult, Rate, Summary, TokenUsage } from './report-schema.js';

function rate(results: readonly CaseResult[]): Rate {
  const passed = results.filter((r) => r.status === 'passed').length;
  return { total: results.length, passed, pass_rate: results.length === 0 ? 0 : passed / results.length };
}

const DIFFICULTY_ORDER = ['easy', 'medium', 'hard'];

function groupBy(results: readonly CaseResult[], keys: (r: CaseResult) => string[], order?: readonly string[]): Record<string, Rate> {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) for (const k of keys(r)) groups.set(k, [...(groups.get(k) ?? []), r]);
  const rank = (k: string) => (order ? order.indexOf(k) : 0);
  return Object.fromEntries(
    [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([k, v]) => [k, rate(v)]),
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (!a) return b;
  if (!b) return a;
  return {
    calls: a.calls + b.calls,
    input: a.input + b.input,
    output: a.output + b.output,
    cost_usd: a.cost_usd + b.cost_usd,
    models: [...new Set([...a.models, ...b.models])],
  };
}

export function summarise(results: readonly CaseResult[], judgeTokens: TokenUsage | null = null): Summary {
  const latencies = results
    .filter((r) => r.status !== 'errored')
    .map((r) => r.latency_ms)
    .sort((a, b) => a - b);
  const scorers: Summary['scorers'] = {};
  for (const r of results) {
    for (const s of r.scorers) {
      const t = (scorers[s.name] ??= { kind: s.kind, pass: 0, fail: 0, not_applicable: 0, not_run: 0 });
      t[s.status] += 1;
    }
  }
  const overall = rate(results);
  return {
    total: overall.total,
    passed: overall.passed,
    failed: results.filter((r) => r.status === 'failed').length,
    errored: results.filter((r) => r.status === 'errored').length,
    pass_rate: overall.pass_rate,
    safety_violations: results.filter((r) => r.fatal).length,
    by_difficulty: groupBy(results, (r) => [r.difficulty], DIFFICULTY_ORDER),
    by_category: groupBy(results, (r) => [r.category]),
    by_tag: groupBy(results, (r) => r.tags),
    scorers,
    latency_ms: {
      mean: latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: latencies.at(-1) ?? 0,
    },
    tokens: results.reduce<TokenUsage | null>((acc, r) => addUsage(acc, r.tokens), null),
    judge_tokens: judgeTokens,
  };
}

/** `pass rate 93.3% (28/30)` */
export function summaryLine(s: Pick<Summary, 'passed' | 'total' | 'pass_rate'>): string {
  return `pass rate ${(s.pass_rate * 100).toFixed(1)}% (${s.passed}/${s.total})`;
}
