/**
 * Readiness check `audit_spool` (optional: the service degrades, it keeps answering): down when the
 * spool is full (new events are refused) or when shipping to ClickHouse has kept failing for
 * AUDIT_FAILING_AFTER_SECONDS. Reads in-memory state only.
 */
import type { AuditStatus } from '../audit/pipeline.js';
import type { DependencyCheck } from './readiness.js';

export function auditSpoolCheck(status: () => AuditStatus): DependencyCheck {
  return {
    name: 'audit_spool',
    required: false,
    probe: async () => {
      const s = status();
      if (s.problem) throw new Error(s.problem);
    },
  };
}
