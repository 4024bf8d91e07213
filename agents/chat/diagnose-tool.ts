/**
 * diagnose_workspace: the analysis graph's deterministic path as one chat tool — the same plan
 * (queries and analyses per analysis type, agents/nodes/plan-queries.ts), the same analysers and the
 * same diagnosis rules — answering the diagnosis, the actions the rules propose and the most severe
 * findings. It changes nothing (proposed actions still need propose_remediation and a human).
 * Same scope as POST /analyze.
 */
import { z } from 'zod';
import { diagnose } from '../../src/analysis/diagnose/index.js';
import { fetchSeries } from '../../src/analysis/series-from-results.js';
import { AnalysisTypeSchema } from '../../src/analysis/types.js';
import { inlineFindingsEngine } from '../../src/analysis/workers/findings-engine.js';
import { defineTool, fail, noData, ok } from '../../tools/index.js';
import { deterministicPlan } from '../nodes/plan-queries.js';
import { DEFAULT_MAX_POINTS } from '../nodes/planner.js';

const MAX_FINDINGS = 15;

export const diagnoseWorkspace = defineTool({
  name: 'diagnose_workspace',
  description:
    'Run the full deterministic analysis of the workspace (as POST /analyze does): fetch the metrics an analysis type needs (anomaly: anomalies and health; performance: health, anomalies, right-sizing; security; capacity), find problems and diagnose root causes with the rule set. Returns the diagnosis (hypotheses most likely first, each citing evidence series, times and values and the finding ids it explains), the actions proposed for a human to approve, and the most severe findings. Changes nothing.',
  scope: 'aiops:analyze',
  mutates: false,
  input: z.strictObject({
    analysis_type: AnalysisTypeSchema.default('anomaly').describe(
      'anomaly (default: what is wrong now), performance (slowness, CPU, latency, errors), security, capacity',
    ),
    namespace: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{0,252}$/, 'must be a Kubernetes namespace name')
      .optional()
      .describe('Only this namespace (default: the whole workspace)'),
    window_minutes: z
      .number()
      .int()
      .min(15)
      .max(1440)
      .default(360)
      .describe('How far back to look, in minutes (default 360 = 6 h, at most 24 h)'),
  }),
  async handler(args, ctx, deps) {
    const request = {
      analysisType: args.analysis_type,
      timeRangeMinutes: args.window_minutes,
      targets: args.namespace ? [args.namespace] : [],
      endTime: Math.floor(deps.now() / 1000),
    };
    const plan = deterministicPlan(request, DEFAULT_MAX_POINTS);
    const { series, failures } = await fetchSeries(
      deps.metrics,
      { workspaceId: ctx.auth.workspaceId },
      plan.queries.map((q) => ({ name: q.name, args: q.args })),
      plan.window,
      ctx.signal,
    );
    if (series.length === 0 && failures.length > 0)
      return fail(`no query succeeded: ${failures[0]!.message}`, { failures: failures.slice(0, 5) });
    if (series.length === 0) return noData(`no series in the window${args.namespace ? ` for namespace ${args.namespace}` : ''}`);
    const findings = await (deps.findings ?? inlineFindingsEngine).collect(series, plan.analyses, {}, ctx.signal);
    const { diagnosis, proposedActions } = diagnose(findings, { analysisType: args.analysis_type, window: plan.window });
    return ok({
      analysis_type: args.analysis_type,
      analyses: plan.analyses,
      window: {
        start: new Date(plan.window.start * 1000).toISOString(),
        end: new Date(plan.window.end * 1000).toISOString(),
        step_seconds: plan.window.step,
      },
      queries: [...new Set(plan.queries.map((q) => q.name))],
      series_analysed: series.length,
      ...(failures.length > 0 ? { failed_queries: failures.map((f) => ({ query: f.query, message: f.message })) } : {}),
      diagnosis,
      proposed_actions: proposedActions,
      findings_total: findings.length,
      findings: findings.slice(0, MAX_FINDINGS).map((f) => ({
        id: f.id,
        kind: f.kind,
        severity: f.severity,
        title: f.title,
        resource: f.resource,
        evidence: f.evidence.slice(0, 2),
        ...(f.started_at ? { started_at: f.started_at } : {}),
      })),
    });
  },
});
