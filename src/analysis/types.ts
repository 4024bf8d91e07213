/**
 * The vocabulary shared by the analysis graph, its tools and the analysis endpoints: findings
 * (what the deterministic analytics found in a workspace's metrics), evidence (the data points a
 * claim rests on), the structured diagnosis and proposed remediation actions. zod schemas are the
 * single definition; types are inferred from them.
 */
import { z } from 'zod';
import { ActionTypeSchema } from '../remediation/action-types.js';

export const SeveritySchema = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;
/** Severity order, least severe first: the one ranking used to filter and sort findings and alerts. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** A point of data a claim rests on: which series, when, its value, and why it matters. */
export const EvidenceSchema = z.object({
  series: z
    .string()
    .min(1)
    .describe('The series, as catalog name plus labels, e.g. memory_usage_vs_limits{namespace="shop",pod="cart-1",container="cart"}'),
  time: z.string().describe('RFC 3339'),
  value: z.number(),
  why: z.string().min(1).describe('What this value shows'),
  /** The value for people, in its unit and with its subject (src/analysis/readable.ts); absent on values without a unit. */
  shown: z.string().optional().describe('The value as people read it, e.g. "473 MiB — container cart of pod cart-1 in shop"'),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** The Kubernetes object a finding is about (as much as is known). */
export const ResourceRefSchema = z.object({
  namespace: z.string().optional(),
  workload: z.string().optional(),
  pod: z.string().optional(),
  container: z.string().optional(),
  service: z.string().optional(),
  persistentvolumeclaim: z.string().optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

export const FINDING_KINDS = [
  'anomaly', // a detector flagged a series
  'oom_kill', // OOM kills / memory at its limit
  'memory_growth', // working set rising steadily
  'restarts', // containers restarting, crash loops
  'not_ready', // pods not ready
  'cpu_throttling', // CFS throttling
  'cpu_saturation', // usage pinned at the limit
  'latency', // HTTP latency regression
  'errors', // HTTP error ratio
  'capacity', // a forecast reaches a limit (PVC, memory, quota)
  'quota', // namespace quota nearly used up
  'egress', // outbound traffic anomaly
  'rightsizing', // requests far from usage
  'compliance', // missing requests/limits, :latest images, …
  'security', // mining pattern, auth-failure spikes, …
  'deploy', // a rollout happened (context for other findings)
  'k8s_event', // a Warning event naming a cause (bad image, failed scheduling, probe failures, …): findings/events.ts
  'log_pattern', // a new or surging error template in the application logs: findings/log-patterns.ts
] as const;
export const FindingKindSchema = z.enum(FINDING_KINDS);
export type FindingKind = z.infer<typeof FindingKindSchema>;

export const FindingSchema = z.object({
  id: z.string().describe('Stable within a run: kind + resource'),
  kind: FindingKindSchema,
  severity: SeveritySchema,
  title: z.string(),
  resource: ResourceRefSchema,
  /** Detector score or strength of the finding in [0, 1], for ranking. */
  score: z.number().min(0).max(1),
  /** When the condition started (RFC 3339), when known. */
  started_at: z.string().optional(),
  evidence: z.array(EvidenceSchema).min(1),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type Finding = z.infer<typeof FindingSchema>;

// Action types are a leaf vocabulary of their own (the configuration validates against it).
export { ACTION_TYPES, ActionTypeSchema, type ActionType } from '../remediation/action-types.js';

export const ProposedActionSchema = z.object({
  action_type: ActionTypeSchema,
  target_resource: z
    .string()
    .regex(/^[a-z]+\/[A-Za-z0-9._-]+$/, 'kind/name, e.g. deployment/cart')
    .describe('kind/name, e.g. deployment/cart'),
  namespace: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  reason: z.string(),
  risk: z.enum(['low', 'medium', 'high']),
});
export type ProposedAction = z.infer<typeof ProposedActionSchema>;

export const HypothesisSchema = z.object({
  cause: z.string().min(1),
  confidence: z.number().min(0).max(1),
  /** No evidence, no hypothesis. */
  evidence: z.array(EvidenceSchema).min(1),
  /** Ids of the findings it explains. */
  finding_ids: z.array(z.string()).default([]),
});
export type Hypothesis = z.infer<typeof HypothesisSchema>;

export const DiagnosisSchema = z.object({
  summary: z.string(),
  hypotheses: z.array(HypothesisSchema).describe('Most likely first'),
  impact: z.string(),
  recommended_actions: z.array(z.string()).describe('What a human should do, in order'),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export const ANALYSIS_TYPES = ['anomaly', 'performance', 'security', 'capacity'] as const;
export const AnalysisTypeSchema = z.enum(ANALYSIS_TYPES);
export type AnalysisType = z.infer<typeof AnalysisTypeSchema>;

/** What an analysis is asked for: a run's validated request (the diagnose_workspace tool makes one too). */
export interface AnalysisRequest {
  analysisType: AnalysisType;
  timeRangeMinutes: number;
  /** Namespaces (or workload names) the caller wants to focus on; empty = the whole workspace. */
  targets: string[];
  /** Unix seconds the analysis ends at (the request time). */
  endTime: number;
}

/** One fetched series of a catalog query over the analysis window (times in Unix seconds, ascending). */
export interface SeriesData {
  /** Catalog query name, e.g. `memory_usage_vs_limits`. */
  query: string;
  labels: Record<string, string>;
  times: number[];
  values: number[];
}

export const ANALYSES = ['anomaly', 'capacity', 'rightsizing', 'compliance', 'security', 'health'] as const;
export const AnalysisKindSchema = z.enum(ANALYSES);
export type AnalysisKind = z.infer<typeof AnalysisKindSchema>;

export const PlannedQuerySchema = z.object({
  name: z.string().describe('A catalog query name'),
  args: z.record(z.string(), z.string()).default({}).describe('Catalog filters: namespace, pod, container, service, persistentvolumeclaim'),
  purpose: z.string().describe('Why this query is needed'),
});
export type PlannedQuery = z.infer<typeof PlannedQuerySchema>;

/** What the planner decided: which catalog queries to run over which window, and which analyses to apply. */
export const AnalysisPlanSchema = z.object({
  analysis_type: AnalysisTypeSchema,
  window: z.object({ start: z.number(), end: z.number(), step: z.number() }).describe('Unix seconds'),
  queries: z.array(PlannedQuerySchema).min(1).max(30),
  analyses: z.array(AnalysisKindSchema).min(1),
  targets: z.array(z.string()).default([]).describe('Namespaces or workloads the request focused on'),
  planned_by: z.enum(['deterministic', 'llm']),
});
export type AnalysisPlan = z.infer<typeof AnalysisPlanSchema>;
