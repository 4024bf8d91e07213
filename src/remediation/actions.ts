/**
 * What each action type means: how it is validated and bounded, how it reads to an approver, and
 * which control-plane call carries it out (per ../shared/docs/hexabase-source.md). Only scaling a
 * deployment has an internal (service-account) endpoint; everything else is a user-facing endpoint
 * the control plane serves *as the user*, so the approver's own token is forwarded and re-checked
 * there. The workspace in every path is the caller's verified workspace, never a parameter.
 */
import type { ActionType } from './action-types.js';
import { workloadOf } from '../analysis/findings/series-utils.js';
import { formatValue } from '../analysis/readable.js';
import { idProblem } from './names.js';
import type { PlanStep, RemediationAction, Risk } from './types.js';

/** What the catalog reads of an action: a request's action and a stored plan step both are one. */
type Action = Pick<RemediationAction, 'action_type' | 'target_resource' | 'parameters'> & { namespace?: string | null | undefined };

export interface ActionLimits {
  /** Scaling above this needs `parameters.override: true`. */
  maxReplicas: number;
  /** The hard ceiling: no replica count above this, override or not. */
  maxReplicasOverride: number;
}

export interface ControlPlaneCall {
  method: 'POST';
  /** The path's segments as they are; the control-plane client checks and percent-encodes each one. */
  segments: string[];
  body: Record<string, unknown>;
  /** `user`: the approver's token is the credential; `internal`: the internal token, with the user's token alongside. */
  actAs: 'user' | 'internal';
  /** Safe to retry (setting a replica count or an alert state twice is the same as once). */
  idempotent: boolean;
}

interface ActionSpec {
  risk: Risk;
  /** Accepted parameter names ('*': anything, for actions a human applies). */
  params: readonly string[];
  /** Problems that make the request invalid (400). */
  problems(a: Action, limits: ActionLimits): string[];
  describe(a: Action): string;
  /** Absent: no control-plane endpoint, a human applies it. */
  call?(workspaceId: string, a: Action): ControlPlaneCall | undefined;
}

const kindOf = (a: Action) => a.target_resource.split('/')[0]!;
const nameOf = (a: Action) => a.target_resource.slice(a.target_resource.indexOf('/') + 1);
const userPath = (ws: string, ...rest: string[]) => ['api', 'v1', 'workspaces', ws, ...rest];

function kinds(a: Action, allowed: readonly string[]): string[] {
  return allowed.includes(kindOf(a))
    ? []
    : [`${a.action_type} targets ${allowed.map((k) => `${k}/<name>`).join(' or ')}, not ${a.target_resource}`];
}

function optionalId(a: Action, key: string): string[] {
  const v = a.parameters[key];
  const problem = v === undefined ? undefined : idProblem(key, v);
  return problem ? [problem] : [];
}

/** The application a pod belongs to: given, or the workload its name belongs to (ReplicaSet/pod hashes or StatefulSet ordinal stripped). */
export function applicationOfPod(a: Action): string {
  const given = a.parameters.application_id;
  return typeof given === 'string' ? given : workloadOf(nameOf(a));
}

const SPECS: Record<ActionType, ActionSpec> = {
  scale: {
    risk: 'medium',
    params: ['replicas', 'replicas_delta', 'override'],
    problems(a, limits) {
      const r = a.parameters.replicas;
      const out = kinds(a, ['deployment']);
      const delta = a.parameters.replicas_delta;
      if (r === undefined && delta !== undefined) {
        // From an analysis that did not know the current count: a relative change a human applies.
        return typeof delta === 'number' && Number.isInteger(delta) && delta !== 0 && Math.abs(delta) <= limits.maxReplicas
          ? out
          : [...out, `parameters.replicas_delta must be a non-zero whole number within ±${limits.maxReplicas}`];
      }
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0) return [...out, 'parameters.replicas must be a whole number ≥ 0'];
      if (a.parameters.override !== undefined && typeof a.parameters.override !== 'boolean')
        out.push('parameters.override must be true or false');
      if (r > limits.maxReplicasOverride) {
        // An override lifts the soft limit only: a typo of 10000 for 10 must not reach the control plane.
        const ceiling = limits.maxReplicasOverride;
        out.push(
          `scaling to ${r} replicas is above the hard ceiling of ${ceiling} (REMEDIATION_MAX_REPLICAS_OVERRIDE), which no override lifts`,
        );
      } else if ((r === 0 || r > limits.maxReplicas) && a.parameters.override !== true) {
        out.push(
          r === 0
            ? 'scaling to 0 replicas stops the workload: set parameters.override to true to ask for it anyway'
            : `scaling to ${r} replicas is above the limit of ${limits.maxReplicas}: set parameters.override to true to ask for it anyway`,
        );
      }
      return out;
    },
    describe: (a) =>
      a.parameters.replicas === undefined
        ? `scale ${a.target_resource} by ${String(a.parameters.replicas_delta)} replica(s) — by hand (the control plane takes an absolute count, which the analysis did not know)`
        : `scale ${a.target_resource} to ${String(a.parameters.replicas)} replicas`,
    call: (ws, a) =>
      a.parameters.replicas === undefined
        ? undefined
        : {
            method: 'POST',
            segments: ['internal', 'v1', 'workspaces', ws, 'deployments', nameOf(a), 'scale'],
            body: { replicas: a.parameters.replicas, ...(a.namespace ? { namespace: a.namespace } : {}) },
            actAs: 'internal',
            idempotent: true,
          },
  },
  restart_application: {
    risk: 'medium',
    params: [],
    problems: (a) => kinds(a, ['application', 'deployment']),
    describe: (a) => `restart application ${nameOf(a)}`,
    call: (ws, a) => ({
      method: 'POST',
      segments: userPath(ws, 'applications', nameOf(a), 'restart'),
      body: {},
      actAs: 'user',
      idempotent: false,
    }),
  },
  restart_pod: {
    risk: 'low',
    params: ['application_id'],
    problems: (a) => [...kinds(a, ['pod']), ...optionalId(a, 'application_id')],
    describe: (a) => `restart pod ${nameOf(a)} of application ${applicationOfPod(a)}`,
    call: (ws, a) => ({
      method: 'POST',
      segments: userPath(ws, 'applications', applicationOfPod(a), 'pods', nameOf(a), 'restart'),
      body: {},
      actAs: 'user',
      idempotent: false,
    }),
  },
  rollback_function: {
    risk: 'medium',
    params: ['function_id', 'version'],
    problems: (a) => [...optionalId(a, 'function_id'), ...optionalId(a, 'version')],
    describe: (a) =>
      `roll back function ${functionId(a)}${a.parameters.version ? ` to version ${String(a.parameters.version)}` : ' to its previous version'}`,
    call: (ws, a) => ({
      method: 'POST',
      segments: userPath(ws, 'functions', functionId(a), 'rollback'),
      body: a.parameters.version ? { version: a.parameters.version } : {},
      actAs: 'user',
      idempotent: false,
    }),
  },
  acknowledge_alert: {
    risk: 'low',
    params: ['comment'],
    problems: (a) => kinds(a, ['alert']),
    describe: (a) => `acknowledge alert ${nameOf(a)}`,
    call: (ws, a) => ({
      method: 'POST',
      segments: userPath(ws, 'monitoring', 'alerts', nameOf(a), 'acknowledge'),
      body: comment(a),
      actAs: 'user',
      idempotent: true,
    }),
  },
  resolve_alert: {
    risk: 'low',
    params: ['comment'],
    problems: (a) => kinds(a, ['alert']),
    describe: (a) => `resolve alert ${nameOf(a)}`,
    call: (ws, a) => ({
      method: 'POST',
      segments: userPath(ws, 'monitoring', 'alerts', nameOf(a), 'resolve'),
      body: comment(a),
      actAs: 'user',
      idempotent: true,
    }),
  },
  adjust_resources: {
    risk: 'medium',
    params: ['*'],
    problems: () => [],
    describe: (a) =>
      `adjust the resources of ${a.target_resource} (${
        Object.entries(a.parameters)
          .map(([k, v]) => `${k}=${readableParameter(k, v)}`)
          .join(', ') || 'as described'
      }) — by hand`,
  },
  expand_volume: {
    risk: 'medium',
    params: ['*'],
    problems: () => [],
    describe: (a) => `expand ${a.target_resource}${a.parameters.size ? ` to ${String(a.parameters.size)}` : ''} — by hand`,
  },
};

/** A resource figure as a person reads it (memory in MiB/GiB, CPU in millicores); anything else as given. */
function readableParameter(name: string, value: unknown): string {
  if (typeof value !== 'number') return String(value);
  if (/memory/i.test(name)) return formatValue(value, 'bytes');
  if (/cpu/i.test(name)) return formatValue(value, 'cores');
  return String(value);
}

function functionId(a: Action): string {
  return typeof a.parameters.function_id === 'string' ? a.parameters.function_id : nameOf(a);
}

function comment(a: Action): Record<string, unknown> {
  return typeof a.parameters.comment === 'string' ? { comment: a.parameters.comment.slice(0, 500) } : {};
}

/** Every problem with one action (empty: valid). */
export function actionProblems(a: RemediationAction, limits: ActionLimits): string[] {
  const spec = SPECS[a.action_type];
  const unknown = spec.params.includes('*') ? [] : Object.keys(a.parameters).filter((k) => !spec.params.includes(k));
  const workspaceNamed = Object.keys(a.parameters).some((k) => /workspace/i.test(k));
  return [
    ...(workspaceNamed ? ['parameters may not name a workspace: actions always apply to your own workspace'] : []),
    ...(unknown.length > 0
      ? [`${a.action_type} does not take parameter(s) ${unknown.join(', ')} (it takes: ${spec.params.join(', ') || 'none'})`]
      : []),
    ...spec.problems(a, limits),
  ];
}

/** The plan step an action becomes. */
export function planStep(a: RemediationAction, index: number): PlanStep {
  const spec = SPECS[a.action_type];
  const overridden = a.action_type === 'scale' && a.parameters.override === true;
  return {
    index,
    action_type: a.action_type,
    target_resource: a.target_resource,
    namespace: a.namespace ?? null,
    parameters: a.parameters,
    dry_run: a.dry_run,
    risk: overridden ? 'high' : maxRisk(spec.risk, a.risk ?? 'low'),
    executable: spec.call?.('', a) !== undefined, // the call's shape does not depend on the workspace
    description: spec.describe(a),
    reason: a.reason ?? null,
  };
}

/** The control-plane call of a step, or undefined when a human applies it. */
export function controlPlaneCall(workspaceId: string, step: PlanStep): ControlPlaneCall | undefined {
  return SPECS[step.action_type].call?.(workspaceId, step);
}

const RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };
export function maxRisk(...risks: Risk[]): Risk {
  return risks.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'low');
}
