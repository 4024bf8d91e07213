/**
 * The analysis graph's state, defined once. Every field has one owner node (it alone returns it);
 * `progress` and `errors` are append-only logs any node may add to. The verified identity is NOT
 * state: it travels in `config.configurable.auth` for each invoke/resume, so no token is ever
 * written to a checkpoint.
 */
import { Annotation, UntrackedValueChannel } from '@langchain/langgraph';
import type { AnalysisPlan, AnalysisRequest, Diagnosis, Finding, ProposedAction, SeriesData } from '../../src/analysis/types.js';

export type { AnalysisRequest };

export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment?: string;
}

/**
 * What the remediation service's execution of the approved remediation did, handed to the run with
 * the decision (the service executes before it resumes the run; the remediation's record is the truth).
 */
export interface ExecutionReport {
  status: string;
  error: string | null;
  results: { index: number; status: string; message: string }[];
}

/** The value a run waiting at the approval gate is resumed with: the decision and, once approved, the execution's report. */
export interface ApprovalResume {
  decision: ApprovalDecision;
  outcome?: ExecutionReport;
}

export interface RemediationOutcome {
  status: 'executed' | 'failed' | 'not_executed' | 'rejected';
  message: string;
  /** Per plan step (index into proposedActions), as the remediation service reported it. */
  results: { index: number; status: string; message: string }[];
}

export interface ProgressEntry {
  at: string;
  node: string;
  message: string;
}

export interface RunError {
  node: string;
  message: string;
  /** e.g. 'unavailable' when the metrics source is down: the route maps it to a status. */
  kind?: string;
}

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_old: T, next: T) => next, default: fallback });
const append = <T>() => Annotation<T[]>({ reducer: (old: T[], next: T[]) => old.concat(next), default: () => [] });

export const AnalysisStateAnnotation = Annotation.Root({
  /** The workspace the run is confined to (from the verified token; checked again on every read of the run). */
  workspaceId: Annotation<string>(),
  /** Who started the run (token subject). */
  requestedBy: Annotation<string>(),
  /** The validated request. */
  request: Annotation<AnalysisRequest>(),
  /** planner: which catalog queries and analyses, over which window. */
  plan: replace<AnalysisPlan | null>(() => null),
  /**
   * metrics-query: the fetched series (range results of the planned queries); emptied by anomaly-scoring
   * once scored. Never checkpointed (an untracked channel): serialising megabytes of points into the
   * checkpoint was most of an analysis's event-loop time. A run resumed from a checkpoint between the
   * two nodes has none and anomaly-scoring fetches them again.
   */
  series: () => new UntrackedValueChannel<SeriesData[]>({ initialValueFactory: () => [] }),
  /** metrics-query: how many series were fetched (kept after the series themselves are dropped). */
  seriesFetched: replace<number>(() => 0),
  /**
   * events-query: findings from the window's Kubernetes Warning events (bad image, failed scheduling,
   * probe failures, …; src/analysis/findings/events.ts); anomaly-scoring merges them into `findings`.
   */
  eventFindings: replace<Finding[]>(() => []),
  /** anomaly-scoring: what the analytics found (metrics and events), most severe first. */
  findings: replace<Finding[]>(() => []),
  /** diagnosis: the structured diagnosis. */
  diagnosis: replace<Diagnosis | null>(() => null),
  /** diagnosis: whether the LLM or the deterministic rules produced it. */
  diagnosedBy: replace<'llm' | 'deterministic' | null>(() => null),
  /** diagnosis: actions proposed for approval (never executed without it). */
  proposedActions: replace<ProposedAction[]>(() => []),
  /** propose: the pending remediation the proposals became (approved through the remediation API). */
  remediationId: replace<string | null>(() => null),
  /** approval-gate: the human decision, once given. */
  approval: replace<ApprovalDecision | null>(() => null),
  /** approval-gate: what executing the approved remediation did, as the remediation service reported it with the decision. */
  execution: replace<ExecutionReport | null>(() => null),
  /** remediation: what execution did. */
  remediation: replace<RemediationOutcome | null>(() => null),
  /** Any node: what happened, for progress display. */
  progress: append<ProgressEntry>(),
  /** Any node: recoverable problems (a query that failed, an LLM that fell back). */
  errors: append<RunError>(),
});

export type AnalysisState = typeof AnalysisStateAnnotation.State;
export type AnalysisUpdate = typeof AnalysisStateAnnotation.Update;
