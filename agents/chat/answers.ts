/**
 * The deterministic mode's answers, written from tool results: what is wrong (diagnose_workspace),
 * what runs out first (forecast_capacity), right-sizing (recommend_rightsizing), an alert explained
 * (list_alerts plus the last hour's findings), and remediation proposals resolved against what the
 * conversation is about. Every claim quotes a finding, a series point or a query from the results.
 */
import { mergeAlerts, type Alert } from '../../src/analysis/alerts.js';
import type { Finding, ProposedAction, ResourceRef } from '../../src/analysis/types.js';
import type { PromAlert } from '../../src/clients/prometheus.js';
import type { Focus } from './evidence.js';
import type { RemediationVerb, TargetMention } from './intents.js';
import type { DiagnoseWorkspaceOutput, FindingsOutput, ListAlertsOutput, ToolResult } from '../../tools/index.js';

// The answers' shapes are the tools' declared outputs (diagnose_workspace, the analysis tools, list_alerts).
type DiagnoseData = DiagnoseWorkspaceOutput;
type HypothesisView = DiagnoseData['diagnosis']['hypotheses'][number];
type FindingData = FindingsOutput;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(3)) : undefined);

export function describeAction(a: Pick<ProposedAction, 'action_type' | 'target_resource' | 'namespace' | 'parameters'>): string {
  const where = a.namespace ? ` in ${a.namespace}` : '';
  switch (a.action_type) {
    case 'scale':
      return `scale ${a.target_resource}${where} to ${String(a.parameters?.replicas)} replicas`;
    case 'restart_application':
      return `restart ${a.target_resource}${where}`;
    case 'restart_pod':
      return `restart ${a.target_resource}${where}`;
    default:
      return `${a.action_type.replace(/_/g, ' ')} ${a.target_resource}${where}`;
  }
}

/** How to ask for an action in the deterministic mode. */
function hintFor(a: Pick<ProposedAction, 'action_type' | 'parameters'>): string {
  const say =
    a.action_type === 'scale'
      ? `scale it to ${String(a.parameters?.replicas ?? 'N')}`
      : a.action_type === 'rollback_function'
        ? 'roll it back'
        : a.action_type.startsWith('restart')
          ? 'restart it'
          : undefined;
  return say ? `Say "${say}" to propose it for approval.` : 'Apply it by hand, or ask for a restart or a scale.';
}

function hours(window: { start: string; end: string } | undefined): string {
  if (!window) return '';
  const h = (Date.parse(window.end) - Date.parse(window.start)) / 3_600_000;
  return Number.isFinite(h) ? (h >= 1 ? `${Number(h.toFixed(1))} h` : `${Math.round(h * 60)} min`) : '';
}

function point(e: { series: string; time: string; value: number; why: string; shown?: string }): string {
  // The value as people read it (473 MiB — container cart of pod …) when known, the selector kept for reference.
  return e.shown ? `${e.shown} at ${e.time} (${e.why}; ${e.series})` : `${e.series} = ${num(e.value) ?? e.value} at ${e.time} (${e.why})`;
}

function mentions(text: string, subjects: readonly string[]): boolean {
  const t = text.toLowerCase();
  return subjects.some((s) => t.includes(s));
}

/** A refusal or failure of a tool, in a sentence. */
export function toolProblem(what: string, status: string, summary: string): string {
  if (status === 'denied') return `I cannot ${what} for you: ${summary}.`;
  return `I could not ${what}: ${summary}.`;
}

export function whatsWrongText(data: DiagnoseData, subjects: readonly string[]): { text: string; focusFirst?: HypothesisView } {
  const d = data.diagnosis;
  const scope = `${data.analysis_type} analysis of the last ${hours(data.window)}, ${data.series_analysed} series`;
  if (d.hypotheses.length === 0) return { text: `${d.summary}\n\n(${scope}.)` };
  const matching = subjects.length > 0 ? d.hypotheses.filter((h) => mentions(h.cause, subjects)) : [];
  const ranked = [...matching, ...d.hypotheses.filter((h) => !matching.includes(h))].slice(0, 3);
  const lines = ranked.map((h, i) => {
    const ev = h.evidence.slice(0, 2).map(point).join('; ');
    return `${i + 1}. ${h.cause} (confidence ${Math.round(h.confidence * 100)} %)\n   evidence: ${ev}\n   findings: ${h.finding_ids.slice(0, 3).join(', ')}`;
  });
  const note =
    subjects.length > 0 && matching.length === 0
      ? `Nothing found mentions ${subjects.join(', ')}; here is what is wrong in the workspace.\n\n`
      : '';
  const more = d.hypotheses.length > ranked.length ? `\n(${d.hypotheses.length - ranked.length} more hypotheses.)` : '';
  const action = data.proposed_actions[0];
  const next = action
    ? `\n\nProposed mitigation: ${describeAction(action)} — ${action.reason.replace(/[.\s]+$/, '')}. ${hintFor(action)}`
    : '';
  const impact = d.impact ? `\n\nImpact: ${d.impact}` : '';
  return { text: `${note}${d.summary}\n\n${lines.join('\n')}${more}${impact}${next}\n\n(${scope}.)`, focusFirst: ranked[0] };
}

/** Puts the actions and resources of `first` (the hypothesis the user asked about) first in the focus. */
export function refocus(focus: Focus | undefined, data: DiagnoseData, first: HypothesisView | undefined): Focus | undefined {
  if (!focus || !first) return focus;
  const ids = new Set(first.finding_ids);
  const resources = data.findings.filter((f) => ids.has(f.id)).map((f) => f.resource);
  const about = (a: ProposedAction) =>
    resources.some(
      (r) => (r.workload && a.target_resource.endsWith(`/${r.workload}`)) || (r.pod && a.target_resource.endsWith(`/${r.pod}`)),
    );
  return {
    actions: [...focus.actions.filter(about), ...focus.actions.filter((a) => !about(a))],
    resources: [...resources, ...focus.resources.filter((r) => !resources.includes(r))].slice(0, 10),
    findingIds: [...first.finding_ids, ...focus.findingIds.filter((id) => !ids.has(id))].slice(0, 10),
  };
}

function etaOf(f: Finding): number {
  const d = f.details as { status?: string; eta_hours?: number | null };
  return d.status === 'exhausted' ? 0 : typeof d.eta_hours === 'number' ? d.eta_hours : Number.POSITIVE_INFINITY;
}

export function forecastText(data: FindingData): string {
  const findings = [...data.findings].filter((f) => f.kind === 'capacity').sort((a, b) => etaOf(a) - etaOf(b));
  if (findings.length === 0) {
    return `Nothing is forecast to run out: no volume is likely to reach its capacity within 7 days, and no memory limit or quota within 24 h, from the trend of the last ${hours(data.window)} and how far the series swing around it.`;
  }
  const line = (f: Finding) => {
    const d = f.details as { eta_low_hours?: number | null; eta_high_hours?: number | null; exhausts_at?: string | null };
    const range =
      d.eta_low_hours != null && d.eta_high_hours != null
        ? ` (between ${num(d.eta_low_hours)} and ${num(d.eta_high_hours)} h${d.exhausts_at ? `, around ${d.exhausts_at}` : ''})`
        : '';
    const last = f.evidence[f.evidence.length - 1];
    return `${f.title}${range}\n   evidence: ${last ? point(last) : '—'}\n   finding: ${f.id}`;
  };
  const [first, ...rest] = findings;
  return [
    `First to run out: ${line(first!)}`,
    ...(rest.length > 0 ? ['Next:', ...rest.slice(0, 4).map((f, i) => `${i + 2}. ${line(f)}`)] : []),
    `(Forecast from the trend of the last ${hours(data.window)} and how far each series swings around it: a limit is reached by the first sample that gets there.)`,
  ].join('\n\n');
}

export function recommendationsText(data: FindingData): string {
  const findings = data.findings.filter((f) => f.kind === 'rightsizing');
  if (findings.length === 0)
    return `No right-sizing change to recommend: requests match the usage observed over the last ${hours(data.window)}.`;
  const lines = findings.slice(0, 6).map((f, i) => {
    const d = f.details as { savings?: { cpu_cores?: number; memory_bytes?: number }; classification?: string; short_history?: boolean };
    const savings =
      d.classification === 'over-provisioned' && d.savings
        ? ` — frees ${num(d.savings.cpu_cores) ?? 0} cores and ${num((d.savings.memory_bytes ?? 0) / 2 ** 30) ?? 0} GiB of requests`
        : '';
    return `${i + 1}. ${f.title}${savings}${d.short_history ? ' (short history: check again after a full day)' : ''}\n   evidence: ${f.evidence[0] ? point(f.evidence[0]) : '—'}\n   finding: ${f.id}`;
  });
  const more = findings.length > lines.length ? `\n(${findings.length - lines.length} more.)` : '';
  return `Right-sizing recommendations from the last ${hours(data.window)} (CPU: p95 + 20 %, memory: peak + 15 %):\n\n${lines.join('\n')}${more}\n\nResource changes are applied by a human (adjust_resources has no control-plane endpoint).`;
}

export function alertsFrom(listResult: ToolResult | undefined, diagnoseResult: ToolResult | undefined): Alert[] {
  const prom: PromAlert[] =
    listResult?.status === 'ok'
      ? (listResult.data as ListAlertsOutput).alerts.map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          state: a.state,
          ...(a.active_at ? { activeAt: a.active_at } : {}),
        }))
      : [];
  const findings = diagnoseResult?.status === 'ok' ? ((diagnoseResult.data as DiagnoseData).findings as unknown as Finding[]) : [];
  return mergeAlerts(prom, findings);
}

const RESOURCE_KEYS = ['namespace', 'workload', 'pod', 'container', 'persistentvolumeclaim', 'service'] as const;

export function alertsText(
  alerts: readonly Alert[],
  name: string | undefined,
  diagnose: DiagnoseData | undefined,
  notes: readonly string[],
): string {
  const tail = notes.length > 0 ? `\n\n${notes.join('\n')}` : '';
  const labels = (a: Alert) =>
    Object.entries(a.labels)
      .filter(([k]) => k !== 'severity')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  if (!name) {
    if (alerts.length === 0)
      return `No alert is active: Prometheus has none firing or pending, and the last hour's analysis raised none.${tail}`;
    const lines = alerts
      .slice(0, 10)
      .map((a) => `- ${a.name} (${a.severity}, ${a.state}${a.started_at ? ` since ${a.started_at}` : ''}; ${labels(a)}): ${a.summary}`);
    return `${alerts.length} active alert(s):\n\n${lines.join('\n')}\n\nAsk "explain the alert <name>" for the evidence behind one.${tail}`;
  }
  const wanted = name.toLowerCase();
  const alert =
    alerts.find((a) => a.name.toLowerCase() === wanted || a.fingerprint === wanted) ??
    alerts.find((a) => a.name.toLowerCase().includes(wanted));
  if (!alert)
    return `No active alert is called ${name}. Active: ${alerts.length > 0 ? alerts.map((a) => a.name).join(', ') : 'none'}.${tail}`;
  const parts = [
    `${alert.name} is ${alert.state} (${alert.severity})${alert.started_at ? ` since ${alert.started_at}` : ''} on ${labels(alert) || 'the workspace'}: ${alert.summary}`,
  ];
  if (alert.source === 'prometheus') parts.push('It comes from a Prometheus alerting rule of the workspace.');
  if (diagnose) {
    // Findings about the same object: every identifying label both carry agrees, and there is at least one.
    const related = diagnose.findings.filter((f) => {
      const r = f.resource as Record<string, string | undefined>;
      const shared = RESOURCE_KEYS.filter((k) => alert.labels[k] !== undefined && r[k] !== undefined);
      return shared.length > 0 && shared.every((k) => alert.labels[k] === r[k]);
    });
    for (const f of related.slice(0, 2))
      parts.push(`Finding ${f.id}: ${f.title}\n   evidence: ${f.evidence.slice(0, 2).map(point).join('; ')}`);
    const ids = new Set(related.map((f) => f.id));
    const cause = diagnose.diagnosis.hypotheses.find((h) => h.finding_ids.some((id) => ids.has(id)));
    if (cause) parts.push(`Most likely cause: ${cause.cause} (confidence ${Math.round(cause.confidence * 100)} %).`);
    const action = diagnose.proposed_actions.find((a) =>
      related.some((f) => f.resource.workload && a.target_resource.endsWith(`/${f.resource.workload}`)),
    );
    if (action) parts.push(`Proposed mitigation: ${describeAction(action)}. ${hintFor(action)}`);
  }
  return `${parts.join('\n\n')}${tail}`;
}

/** The action a "restart it" / "scale X to N" refers to, or why none can be chosen. */
export function resolveRemediation(
  verb: RemediationVerb,
  target: TargetMention,
  pronoun: boolean,
  replicas: number | undefined,
  focus: Focus,
): { action: ProposedAction } | { ask: string } {
  const byName = (r: ResourceRef) =>
    target.name !== undefined && (r.workload === target.name || r.pod === target.name || r.service === target.name);
  const known = target.name ? focus.resources.find(byName) : undefined;
  const actionFor = (a: ProposedAction) => !target.name || a.target_resource.endsWith(`/${target.name}`);
  const namespace =
    target.namespace ??
    known?.namespace ??
    (pronoun || !target.name ? (focus.actions[0]?.namespace ?? focus.resources[0]?.namespace) : undefined);

  if (verb === 'rollback') {
    const rollback = focus.actions.find((a) => a.action_type === 'rollback_function' && actionFor(a));
    if (rollback) return { action: rollback };
    return {
      ask: 'I can only propose a rollback the analysis proposed (functions: rollback_function). Deployments have no rollback in the Hexabase control plane: roll back with your deployment tooling (e.g. kubectl rollout undo), or ask me to restart or scale it.',
    };
  }
  if (verb === 'restart') {
    const proposed = focus.actions.find(
      (a) =>
        (a.action_type === 'restart_application' || a.action_type === 'restart_pod') &&
        actionFor(a) &&
        (!target.kind || a.target_resource.startsWith(`${target.kind}/`)),
    );
    if (proposed && (pronoun || target.name)) return { action: proposed };
  }
  const workload =
    target.name ??
    focus.actions.find((a) => /^(deployment|statefulset)\//.test(a.target_resource))?.target_resource.split('/')[1] ??
    focus.resources.find((r) => r.workload)?.workload;
  if (!workload)
    return {
      ask: 'Which workload do you mean? Name it, e.g. "restart deployment/api in shop" or "scale cart in shop to 3". (Nothing has been discussed in this conversation that "it" could refer to yet: ask "what is wrong now" first.)',
    };
  if (!namespace)
    return {
      ask: `In which namespace is ${workload}? Say e.g. "${verb === 'scale' ? `scale ${workload} in shop to ${replicas ?? 2}` : `restart ${workload} in shop`}".`,
    };
  const kind = target.kind ?? (known?.workload === workload || !known?.pod ? 'deployment' : 'pod');
  if (verb === 'scale') {
    if (replicas === undefined) return { ask: `To how many replicas? Say e.g. "scale ${workload} to 3".` };
    const k = kind === 'pod' ? 'deployment' : kind;
    return {
      action: {
        action_type: 'scale',
        target_resource: `${k}/${workload}`,
        namespace,
        parameters: { replicas },
        reason: `requested in chat: scale ${k}/${workload} to ${replicas} replicas`,
        risk: replicas === 0 ? 'high' : 'medium',
      },
    };
  }
  if (kind === 'pod')
    return {
      action: {
        action_type: 'restart_pod',
        target_resource: `pod/${workload}`,
        namespace,
        parameters: {},
        reason: `requested in chat: restart pod ${workload}`,
        risk: 'low',
      },
    };
  return {
    action: {
      action_type: 'restart_application',
      target_resource: `${kind}/${workload}`,
      namespace,
      parameters: {},
      reason: `requested in chat: restart ${kind}/${workload}`,
      risk: 'medium',
    },
  };
}

export const FREE_FORM = [
  'Free-form questions need a language model, and none is configured for this service, so I am answering in deterministic mode.',
  'Without a model I can answer:',
  '- "what is wrong now?" (or "why is api slow?"): runs the analysis and diagnoses the root causes',
  '- "what will run out first?": capacity forecasts of volumes, memory limits and quotas',
  '- "any recommendations?": right-sizing of requests and limits',
  '- "what alerts are firing?" / "explain the alert <name>"',
  '- "restart it" / "scale <workload> to <N>": proposes a remediation for approval',
  '- "approve" / "reject": decides the pending remediation',
].join('\n');
