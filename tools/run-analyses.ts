/**
 * Shared body of the analysis tools: range-fetch the catalog queries the analyses need over the
 * window (in the caller's workspace), run the deterministic analysers (src/analysis/fetch-and-analyse.ts),
 * answer the findings. The answer helpers are shared with diagnose_workspace, so every analysis tool
 * reports its window, its failed queries and an empty fetch the same way; `FINDINGS_ANSWER` is the
 * analysis tools' common output schema and presentation.
 */
import { z } from 'zod';
import { fetchAndAnalyse, type FetchedFindings } from '../src/analysis/fetch-and-analyse.js';
import { findingsWindowQueries, type CollectOptions } from '../src/analysis/findings/index.js';
import { AnalysisKindSchema, FindingSchema, type AnalysisKind } from '../src/analysis/types.js';
import { K8S_NAME } from '../src/metrics/catalog/catalog.js';
import type { RangeWindow } from '../src/metrics/query-window.js';
import { fail, noData, ok } from './define-tool.js';
import { FailedQueriesSchema, ShownWindowSchema } from './output-shapes.js';
import { findingsEvidence, findingsSubject, findingsSummary } from './presentation.js';
import type { ToolContext, ToolDeps, ToolResult } from './tool.js';
import { WindowInputShape, windowFrom } from './window.js';

export const AnalysisInputShape = {
  namespace: z
    .string()
    .regex(K8S_NAME, 'must be a Kubernetes namespace name')
    .optional()
    .describe('Only this namespace (default: the whole workspace)'),
  min_severity: z.enum(['info', 'warning', 'critical']).default('info').describe('Leave out findings below this severity'),
  limit: z.number().int().min(1).max(100).default(30).describe('At most this many findings, most severe first'),
  ...WindowInputShape,
};

export interface AnalysisArgs {
  namespace?: string | undefined;
  min_severity: 'info' | 'warning' | 'critical';
  limit: number;
  window_minutes: number;
  step_seconds?: number | undefined;
}

/** The answer when no series came back (every query failed, or the window holds none); undefined when there is something to report. */
export function nothingAnalysed(fetched: FetchedFindings, namespace: string | undefined, details: Record<string, unknown> = {}) {
  if (fetched.seriesAnalysed > 0) return undefined;
  if (fetched.failures.length > 0)
    return fail(`no query succeeded: ${fetched.failures[0]!.message}`, { failures: fetched.failures.slice(0, 5), ...details });
  return noData(`no series in the window${namespace ? ` for namespace ${namespace}` : ''}`);
}

/** The window as a model reads it: ISO times and the step. */
export function shownWindow(window: RangeWindow) {
  return {
    start: new Date(window.start * 1000).toISOString(),
    end: new Date(window.end * 1000).toISOString(),
    step_seconds: window.step,
  };
}

/** The queries that failed, when some did (the answer still stands on the others). */
export function failedQueries(failures: FetchedFindings['failures']) {
  return failures.length > 0 ? { failed_queries: failures.map((f) => ({ query: f.query, message: f.message })) } : {};
}

const FindingsOutputSchema = z.strictObject({
  analyses: z.array(AnalysisKindSchema),
  window: ShownWindowSchema,
  series_analysed: z.number().int(),
  failed_queries: FailedQueriesSchema,
  count: z.number().int(),
  findings: z.array(FindingSchema).describe('Most severe first'),
});
export type FindingsOutput = z.infer<typeof FindingsOutputSchema>;

/** The output and presentation every analysis tool shares: findings, most severe first. */
export const FINDINGS_ANSWER = {
  output: FindingsOutputSchema,
  summarize: (data: FindingsOutput) => findingsSummary(data.count, data.findings),
  evidence: (data: FindingsOutput) => findingsEvidence(data.findings),
  subject: (data: FindingsOutput) => findingsSubject(data.findings),
};

export async function runAnalyses(
  analyses: AnalysisKind[],
  args: AnalysisArgs,
  ctx: ToolContext,
  deps: ToolDeps,
  options: CollectOptions = {},
): Promise<ToolResult<FindingsOutput>> {
  const window = windowFrom(args, deps.now());
  const filters = args.namespace ? { namespace: args.namespace } : {};
  const queries = findingsWindowQueries(analyses).map((name) => ({ name, args: filters }));
  const fetched = await fetchAndAnalyse(
    deps.metrics,
    { workspaceId: ctx.auth.workspaceId },
    { queries, window, analyses, options: { ...options, minSeverity: args.min_severity, limit: args.limit } },
    { engine: deps.findings, signal: ctx.signal },
  );
  const empty = nothingAnalysed(fetched, args.namespace, { window });
  if (empty) return empty;
  return ok({
    analyses,
    window: shownWindow(window),
    series_analysed: fetched.seriesAnalysed,
    ...failedQueries(fetched.failures),
    count: fetched.findings.length,
    findings: fetched.findings,
  });
}
