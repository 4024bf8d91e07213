/**
 * KNOWN_FINDINGS_PENDING_MERGE — TEMPORARY. Hostile inputs this suite finds on `main` that other
 * branches of issue 19 fix. The lead deletes this list (and its one use in the suite) once
 * `metrics-bounds`, `auth-probe` and `remediation-probe` are merged; nothing else may be listed.
 * `FUZZ_KNOWN_FINDINGS=enforce` ignores the list (to check that the merged fixes hold).
 *
 * Each entry matches requests by what they carry and either explains given violations (the case
 * is sent, its answer checked, and only those violations are tolerated) or, when sending it would
 * stall the whole test process on `main`, keeps it from being sent. Every match is counted and
 * printed at the end of the run, so the suite visibly still finds them.
 */
import { parseDuration, parseTime } from '../../src/metrics/query-window.js';
import { nestingDepth, type Json } from './hostile-values.js';
import type { ViolationKind } from './invariants.js';
import type { SentRequest } from './send.js';

export interface KnownFinding {
  id: string;
  fixedOn: 'metrics-bounds' | 'auth-probe' | 'remediation-probe';
  /** `not-sent`: the case would stall the process (synchronous work for minutes); otherwise the violations it explains. */
  handling: 'not-sent' | readonly ViolationKind[];
  matches(r: SentRequest, nowSeconds: number): boolean;
}

const DAY = 86_400;

/** The value of a query parameter given exactly once (a repeated one is refused before any use). */
const single = (r: SentRequest, name: string) => {
  const values = r.query.filter(([k]) => k === name);
  return values.length === 1 ? values[0]![1] : undefined;
};

const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

const actionsOf = (r: SentRequest): Record<string, Json>[] => {
  const body = r.bodyValue;
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('actions' in body)) return [];
  const actions = (body as Record<string, Json>).actions;
  return Array.isArray(actions) ? actions.filter((a): a is Record<string, Json> => a !== null && typeof a === 'object' && !Array.isArray(a)) : [];
};

const isRemediate = (r: SentRequest) => r.op.id === 'POST /workspaces/{workspace_id}/remediate';

export const KNOWN_FINDINGS_PENDING_MERGE: readonly KnownFinding[] = [
  {
    // The embedded source generates every demo series from the requested time up to now, synchronously:
    // `time=0` (or a huge `step`, which aligns `start` down to 1970) means 56 years of samples.
    id: 'metrics query reaching more than 15 days back (old time/start, or a huge step aligning start to 1970)',
    fixedOn: 'metrics-bounds',
    handling: 'not-sent',
    matches(r, now) {
      if (!r.op.path.endsWith('/metrics/query')) return false;
      const time = (name: string) => {
        const v = single(r, name);
        return v === undefined ? undefined : attempt(() => parseTime(v, name));
      };
      const stepText = single(r, 'step');
      const step = stepText === undefined ? undefined : attempt(() => parseDuration(stepText, 'step'));
      const start = time('start');
      const reached = [time('time'), start, time('end'), start !== undefined && step !== undefined ? Math.floor(start / step) * step : undefined];
      return reached.some((t) => t !== undefined && t < now - 15 * DAY);
    },
  },
  {
    // jose checks exp/nbf/iat only as numbers; `exp: 1e300` passes and `new Date(exp * 1000)` throws later (500).
    id: 'token with a numeric date claim (exp/nbf/iat) beyond what a Date can hold, e.g. exp: 1e300',
    fixedOn: 'auth-probe',
    handling: ['server_error'],
    matches: (r) => r.claims !== null && ['exp', 'nbf', 'iat'].some((k) => typeof r.claims![k] === 'number' && !(Math.abs(r.claims![k] as number) * 1000 <= 8.64e15)),
  },
  {
    id: 'remediation parameters nested deeper than 8 levels (5,000 levels → 500)',
    fixedOn: 'remediation-probe',
    handling: ['server_error'],
    matches: (r) => isRemediate(r) && actionsOf(r).some((a) => a.parameters !== undefined && nestingDepth(a.parameters) > 8),
  },
  {
    id: 'remediation target named "." or ".." (kind/.. is accepted and becomes a control-plane path segment)',
    fixedOn: 'remediation-probe',
    handling: ['traversal_accepted'],
    matches: (r) => isRemediate(r) && actionsOf(r).some((a) => typeof a.target_resource === 'string' && /^[a-z]+\/\.{1,2}$/.test(a.target_resource)),
  },
];
