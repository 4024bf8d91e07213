/**
 * diagnose_workspace: the analysis graph's deterministic path as one tool — the same plan (queries
 * and analyses per analysis type, src/analysis/plan.ts), the same fetch-and-analyse step, the window's Kubernetes events
 * and the same diagnosis rules — answering the diagnosis, the actions the rules propose and the most severe
 * findings. It changes nothing (proposed actions still need propose_remediation and a human).
 * Offered in chat (CHAT_TOOLS), not to the analysis graph, which runs these steps itself. Same scope
 * as POST /analyze.
 */
import { z } from 'zod';
import { byImportance } from '../src/analysis/diagnose/common.js';
import { diagnose } from '../src/analysis/diagnose/index.js';
import { fetchAndAnalyse } from '../src/analysis/fetch-and-analyse.js';
import { deterministicPlan } from '../src/analysis/plan.js';
import {
  AnalysisKindSchema,
  AnalysisTypeSchema,
  DiagnosisSchema,
  EvidenceSchema,
  FindingSchema,
  ProposedActionSchema,
} from '../src/analysis/types.js';
import type { EvidenceRef } from '../src/chat/events.js';
import { DEFAULT_MAX_POINTS } from '../src/analysis/window.js';
import { defineTool, ok } from './define-tool.js';
import { windowEventFindings } from './event-findings.js';
import { FailedQueriesSchema, ShownWindowSchema } from './output-shapes.js';
import { findingsEvidence, findingsSubject, seriesEvidence } from './presentation.js';
import { failedQueries, nothingAnalysed, shownWindow } from './run-analyses.js';

const MAX_FINDINGS = 15;

const output = z.strictObject({
  analysis_type: AnalysisTypeSchema,
  analyses: z.array(AnalysisKindSchema),
  window: ShownWindowSchema,
  queries: z.array(z.string()).describe('The catalog queries read'),
  series_analysed: z.number().int(),
  failed_queries: FailedQueriesSchema,
  events: z.string().describe('What the Kubernetes events of the window added, or the gap when they could not be read'),
  diagnosis: DiagnosisSchema,
  proposed_actions: z.array(ProposedActionSchema),
  findings_total: z.number().int(),
  findings: z
    .array(
      FindingSchema.pick({ id: true, kind: true, severity: true, title: true, resource: true, started_at: true }).extend({
        evidence: z.array(EvidenceSchema).describe('The first two points'),
      }),
    )
    .describe(`The ${MAX_FINDINGS} most severe`),
});
export type DiagnoseWorkspaceOutput = z.infer<typeof output>;

/** The likeliest hypotheses with the findings and points they rest on (the findings when none), then the queries read. */
function evidence(data: DiagnoseWorkspaceOutput): EvidenceRef[] {
  const hypotheses = data.diagnosis.hypotheses.slice(0, 3);
  const out = hypotheses.flatMap((h) => [
    ...h.finding_ids.slice(0, 2).map((id) => ({ kind: 'finding', ref: id, description: h.cause })),
    ...h.evidence.slice(0, 2).map(seriesEvidence),
  ]);
  if (hypotheses.length === 0) out.push(...findingsEvidence(data.findings));
  for (const q of data.queries.slice(0, 8)) out.push({ kind: 'query', ref: q, description: 'catalog query read by diagnose_workspace' });
  return out;
}

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
  output,
  summarize: ({ diagnosis: { hypotheses }, series_analysed }) =>
    hypotheses.length === 0
      ? `no problem found in ${series_analysed} series`
      : `${hypotheses.length} hypothes${hypotheses.length === 1 ? 'is' : 'es'}, most likely: ${hypotheses[0]!.cause}`,
  evidence,
  subject: (data) => findingsSubject(data.findings, data.proposed_actions),
  async handler(args, ctx, deps) {
    const request = {
      analysisType: args.analysis_type,
      timeRangeMinutes: args.window_minutes,
      targets: args.namespace ? [args.namespace] : [],
      endTime: Math.floor(deps.now() / 1000),
    };
    const plan = deterministicPlan(request, DEFAULT_MAX_POINTS);
    const fetched = await fetchAndAnalyse(
      deps.metrics,
      { workspaceId: ctx.auth.workspaceId },
      { queries: plan.queries.map((q) => ({ name: q.name, args: q.args })), window: plan.window, analyses: plan.analyses },
      { engine: deps.findings, signal: ctx.signal },
    );
    const empty = nothingAnalysed(fetched, args.namespace);
    if (empty) return empty;
    const events = await windowEventFindings(deps, ctx, plan.window, args.namespace);
    const findings = [...fetched.findings, ...events.findings].sort(byImportance);
    const { diagnosis, proposedActions } = diagnose(findings, { analysisType: args.analysis_type, window: plan.window });
    return ok({
      analysis_type: args.analysis_type,
      analyses: plan.analyses,
      window: shownWindow(plan.window),
      queries: [...new Set(plan.queries.map((q) => q.name))],
      series_analysed: fetched.seriesAnalysed,
      ...failedQueries(fetched.failures),
      events: events.note,
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
