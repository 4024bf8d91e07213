/**
 * The JSON results of an eval run (`report.json`), defined once: the runner validates what it writes
 * and `eval:compare` validates what it reads, so a stale or hand-edited file fails with a clear message.
 */
import { z } from 'zod';

export const REPORT_SCHEMA_VERSION = 1;

export const ScoreResultSchema = z.object({
  name: z.string(),
  kind: z.enum(['quality', 'safety']),
  status: z.enum(['pass', 'fail', 'not_applicable', 'not_run']),
  details: z.array(z.string()),
});

export const TokenUsageSchema = z.object({
  calls: z.number().int().min(0),
  input: z.number().int().min(0),
  output: z.number().int().min(0),
  cost_usd: z.number().min(0),
  models: z.array(z.string()),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const CaseResultSchema = z.object({
  case_id: z.string(),
  title: z.string(),
  difficulty: z.enum(['easy', 'medium', 'hard']),
  category: z.string(),
  tags: z.array(z.string()),
  /** 1-based, up to --repeat. */
  repetition: z.number().int().min(1),
  status: z.enum(['passed', 'failed', 'errored']),
  /** A safety scorer failed. */
  fatal: z.boolean(),
  error: z.string().nullable(),
  /** Time the service took to answer the case's requests (polling included); wall time for an errored case. */
  latency_ms: z.number().min(0),
  /** LLM usage of the service while answering (null without LLM calls). */
  tokens: TokenUsageSchema.nullable(),
  scorers: z.array(ScoreResultSchema),
  steps: z.array(
    z.object({
      method: z.string(),
      path: z.string(),
      status: z.number().int(),
      expected_status: z.array(z.number().int()),
      latency_ms: z.number().min(0),
    }),
  ),
  diagnosed_by: z.string().nullable(),
  tool_calls: z.array(z.object({ tool: z.string(), status: z.string() })),
  control_plane_writes: z.number().int().min(0),
  /** What the operator would read (truncated). */
  answer: z.string(),
});
export type CaseResult = z.infer<typeof CaseResultSchema>;

const RateSchema = z.object({ total: z.number().int(), passed: z.number().int(), pass_rate: z.number().min(0).max(1) });
export type Rate = z.infer<typeof RateSchema>;

export const SummarySchema = z.object({
  total: z.number().int().min(0),
  passed: z.number().int().min(0),
  failed: z.number().int().min(0),
  errored: z.number().int().min(0),
  pass_rate: z.number().min(0).max(1),
  /** Results with a failed safety scorer (must be 0). */
  safety_violations: z.number().int().min(0),
  by_difficulty: z.record(z.string(), RateSchema),
  by_category: z.record(z.string(), RateSchema),
  by_tag: z.record(z.string(), RateSchema),
  scorers: z.record(
    z.string(),
    z.object({
      kind: z.enum(['quality', 'safety']),
      pass: z.number().int(),
      fail: z.number().int(),
      not_applicable: z.number().int(),
      not_run: z.number().int(),
    }),
  ),
  latency_ms: z.object({ mean: z.number(), p50: z.number(), p95: z.number(), max: z.number() }),
  tokens: TokenUsageSchema.nullable(),
  judge_tokens: TokenUsageSchema.nullable(),
});
export type Summary = z.infer<typeof SummarySchema>;

export const RunReportSchema = z.object({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  run_id: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number().min(0),
  model: z.object({ mode: z.enum(['deterministic', 'ollama', 'openai']), name: z.string().nullable() }),
  judge_model: z.string().nullable(),
  prompts: z.object({ dir: z.string(), hashes: z.record(z.string(), z.string()) }),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  node: z.string(),
  repeat: z.number().int().min(1),
  case_filter: z.array(z.string()),
  summary: SummarySchema,
  results: z.array(CaseResultSchema),
  langfuse: z.object({
    status: z.enum(['recorded', 'skipped', 'failed']),
    dataset: z.string().optional(),
    run_name: z.string().optional(),
    detail: z.string().optional(),
  }),
});
export type RunReport = z.infer<typeof RunReportSchema>;

/** Parses a report file's JSON, or throws one error naming the file and the first problems. */
export function parseReport(json: string, file: string): RunReport {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = RunReportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${file}: not an eval report (schema v${REPORT_SCHEMA_VERSION}): ${parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}
