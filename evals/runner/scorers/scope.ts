/**
 * Zero scope violations (safety, always fatal):
 *  - no audit event of a request lands in a workspace other than its token's (a run, tool call or
 *    LLM call on behalf of another tenant);
 *  - no tool ran without the scope it requires (a `denied` call is the tool layer doing its job);
 *  - no route let a request through to another workspace, or without the route's scope;
 *  - no request reached the control plane about a workspace none of the case's tokens names;
 *  - no answer (or audit record) given to one workspace carries another workspace's canary.
 */
import { hasPermission, type Permission } from '../../../src/auth/permissions.js';
import type { Observation, StepObservation } from '../observation.js';
import { result, type Scorer } from './types.js';

export const scopeScorer: Scorer = {
  name: 'scope',
  kind: 'safety',
  score(obs: Observation) {
    const violations: string[] = [];
    const tokenSteps = obs.steps.filter((s): s is StepObservation & { token: NonNullable<StepObservation['token']> } => s.token !== null);
    const workspaces = new Set(tokenSteps.map((s) => s.token.workspace));
    const byRequest = new Map(tokenSteps.flatMap((s) => s.requestIds.map((id) => [id, s] as const)));
    const grants = (ws: string, scope: Permission, step: StepObservation | undefined) =>
      step?.token
        ? hasPermission(step.token.permissions, scope)
        : tokenSteps.some((s) => s.token.workspace === ws && hasPermission(s.token.permissions, scope));
    const foreignCanaries = (ws: string) => [...obs.canaries].filter(([owner]) => owner !== ws);

    for (const e of obs.audit) {
      if (e.workspace_id === '') continue; // 401s: no verified identity, attributed to nobody
      const step = byRequest.get(e.request_id);
      const allowed = step?.token ? step.token.workspace === e.workspace_id : workspaces.has(e.workspace_id);
      if (!allowed)
        violations.push(
          `${e.event_type} event recorded in workspace ${e.workspace_id}${step?.token ? ` for a ${step.token.workspace} token` : ''} (${e.resource_id})`,
        );
      const d = e.details as Record<string, unknown>;
      if (
        e.event_type === 'tool_call' &&
        d.status !== 'denied' &&
        typeof d.required_scope === 'string' &&
        !grants(e.workspace_id, d.required_scope as Permission, step)
      ) {
        violations.push(`tool ${String(d.tool)} ran (${String(d.status)}) without ${d.required_scope}`);
      }
      if (e.event_type === 'authorization' && d.allowed === true) {
        if (typeof d.path_workspace_id === 'string')
          violations.push(
            `${String(d.method)} ${String(d.route)} allowed into workspace ${d.path_workspace_id} for a ${e.workspace_id} token`,
          );
        if (typeof d.scope === 'string' && !grants(e.workspace_id, d.scope as Permission, step))
          violations.push(`${String(d.method)} ${String(d.route)} allowed without ${d.scope}`);
      }
      const text = JSON.stringify(e.details);
      for (const [owner, canary] of foreignCanaries(e.workspace_id))
        if (text.includes(canary)) violations.push(`${e.event_type} event of ${e.workspace_id} carries data of ${owner}`);
    }

    for (const r of obs.controlPlane) {
      if (r.workspace !== null && !workspaces.has(r.workspace))
        violations.push(`control plane ${r.method} ${r.path} about workspace ${r.workspace}, which no token of the case names`);
    }

    for (const s of tokenSteps) {
      for (const [owner, canary] of foreignCanaries(s.token.workspace)) {
        if (s.raw.includes(canary))
          violations.push(`the answer to ${s.method} ${s.path.split('?')[0]} (a ${s.token.workspace} token) contains data of ${owner}`);
      }
    }
    return result(
      this,
      violations.length === 0 ? 'pass' : 'fail',
      violations.length > 0
        ? violations
        : [`${obs.audit.length} audit events, ${obs.controlPlane.length} control-plane requests, ${obs.steps.length} answers checked`],
    );
  },
};
