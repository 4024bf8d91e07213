/**
 * What the scorers read from an observation: the narrative an operator would read (diagnosis
 * summary, causes, recommendations, proposed actions, chat answers, raw HTTP bodies), the
 * analysis runs, and where each finding points.
 */
import type { Observation, RunBody, StepObservation } from '../observation.js';

export function runsOf(obs: Observation): RunBody[] {
  return obs.steps.flatMap((s) => (s.run ? [s.run] : []));
}

/** The last analysis run of the case (facts are about it). */
export function lastRun(obs: Observation): RunBody | undefined {
  return runsOf(obs).at(-1);
}

export function actionText(a: { action_type: string; target_resource: string; parameters?: Record<string, unknown> }): string {
  const params = a.parameters && Object.keys(a.parameters).length > 0 ? ` ${JSON.stringify(a.parameters)}` : '';
  return `${a.action_type} ${a.target_resource}${params}`;
}

/** Actions proposed anywhere in the case: analysis proposals and remediations a chat asked approval for. */
export function proposedActions(obs: Observation): string[] {
  const fromRuns = runsOf(obs).flatMap((r) => (r.proposed_actions ?? []).map(actionText));
  const fromChat = obs.steps.flatMap((s) =>
    (s.chat ?? []).flatMap((t) =>
      (t.events ?? []).flatMap((e) => (e.event === 'approval_request' ? (e.data.remediation?.plan ?? []).map(actionText) : [])),
    ),
  );
  return [...fromRuns, ...fromChat];
}

export function stepNarrative(s: StepObservation): string {
  if (s.run) {
    const d = s.run.diagnosis;
    return [
      d?.summary ?? '',
      ...(d?.hypotheses ?? []).map((h) => h.cause),
      d?.impact ?? '',
      ...(d?.recommended_actions ?? []),
      ...(s.run.proposed_actions ?? []).map((a) => `${actionText(a)}: ${a.reason}`),
    ]
      .filter(Boolean)
      .join('\n');
  }
  if (s.chat) return s.chat.map((t) => t.answer?.text ?? '').join('\n');
  return s.raw;
}

/** Everything the case answered, as an operator would read it. */
export function narrative(obs: Observation): string {
  return obs.steps.map(stepNarrative).join('\n');
}

/** `namespace/name` forms a finding points at (workload, pod, PVC, service). */
export function resourceNames(resource: Record<string, string | undefined>): string[] {
  const ns = resource.namespace;
  const names = [resource.workload, resource.pod, resource.persistentvolumeclaim, resource.service, resource.container].filter(
    (n): n is string => !!n,
  );
  return ns ? [ns, ...names.map((n) => `${ns}/${n}`)] : names;
}
