/**
 * Shared body of the analysis tools: range-fetch the catalog queries the analyses need over the
 * window (in the caller's workspace), run the deterministic analysers, answer the findings.
 */
import { z } from 'zod';
import { findingsWindowQueries, type CollectOptions } from '../src/analysis/findings/index.js';
import { fetchSeries } from '../src/analysis/series-from-results.js';
import type { AnalysisKind } from '../src/analysis/types.js';
import { inlineFindingsEngine } from '../src/analysis/workers/findings-engine.js';
import { K8S_NAME } from '../src/metrics/catalog/catalog.js';
import { fail, noData, ok } from './define-tool.js';
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

export async function runAnalyses(
  analyses: AnalysisKind[],
  args: AnalysisArgs,
  ctx: ToolContext,
  deps: ToolDeps,
  options: CollectOptions = {},
): Promise<ToolResult> {
  const window = windowFrom(args, deps.now());
  const filters = args.namespace ? { namespace: args.namespace } : {};
  const queries = findingsWindowQueries(analyses).map((name) => ({ name, args: filters }));
  const { series, failures } = await fetchSeries(deps.metrics, { workspaceId: ctx.auth.workspaceId }, queries, window, ctx.signal);
  if (series.length === 0 && failures.length > 0) {
    return fail(`no query succeeded: ${failures[0]!.message}`, { failures: failures.slice(0, 5), window });
  }
  if (series.length === 0) return noData(`no series in the window${args.namespace ? ` for namespace ${args.namespace}` : ''}`);
  const findings = await (deps.findings ?? inlineFindingsEngine).collect(
    series,
    analyses,
    { ...options, minSeverity: args.min_severity, limit: args.limit },
    ctx.signal,
  );
  return ok({
    analyses,
    window: {
      start: new Date(window.start * 1000).toISOString(),
      end: new Date(window.end * 1000).toISOString(),
      step_seconds: window.step,
    },
    series_analysed: series.length,
    ...(failures.length > 0 ? { failed_queries: failures.map((f) => ({ query: f.query, message: f.message })) } : {}),
    count: findings.length,
    findings,
  });
}
