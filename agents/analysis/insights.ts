/**
 * Insights: each hypothesis of a run's diagnosis, recorded through the audit log (durable spool →
 * ClickHouse, the same store as the audit trail). Event ids derive from the run and the hypothesis,
 * so a node retried after a crash records the same events, which the audit pipeline stores once.
 */
import type { AuditLog } from '../../src/audit/event.js';
import { stableUuid } from '../../src/audit/stable-id.js';
import type { Diagnosis, Finding } from '../../src/analysis/types.js';
import type { RunContext } from './deps.js';

const RANK = { info: 0, warning: 1, critical: 2 } as const;

export async function recordInsights(
  audit: AuditLog,
  run: RunContext,
  runId: string,
  analysisType: string,
  diagnosis: Diagnosis,
  diagnosedBy: 'llm' | 'deterministic',
  findings: readonly Finding[],
): Promise<void> {
  const byId = new Map(findings.map((f) => [f.id, f]));
  // Newest first is the read order: the most likely hypothesis gets the latest millisecond.
  const base = Date.now();
  await Promise.all(
    diagnosis.hypotheses.map((h, index) => {
      const matched = h.finding_ids.map((id) => byId.get(id)).filter((f): f is Finding => f !== undefined);
      const severity = matched.reduce<'info' | 'warning' | 'critical'>(
        (worst, f) => (RANK[f.severity] > RANK[worst] ? f.severity : worst),
        'info',
      );
      return audit.record({
        event_type: 'insight',
        event_id: stableUuid(`${runId}:${index}`),
        timestamp: base - index,
        user_id: run.auth.sub,
        organization_id: run.auth.orgIds[0] ?? '',
        workspace_id: run.auth.workspaceId,
        resource_id: `run/${runId}`,
        request_id: run.requestId ?? '',
        details: {
          run_id: runId,
          analysis_type: analysisType,
          cause: h.cause.slice(0, 1000),
          confidence: h.confidence,
          severity,
          summary: diagnosis.summary.slice(0, 2000),
          diagnosed_by: diagnosedBy,
          finding_ids: h.finding_ids.slice(0, 50),
          evidence: h.evidence.slice(0, 12),
          recommended_actions: diagnosis.recommended_actions.slice(0, 20),
        },
      });
    }),
  );
}
