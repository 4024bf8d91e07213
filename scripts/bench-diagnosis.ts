/**
 * npm run bench:diagnosis — size of the compacted LLM prompt (estimated tokens) and median run time of
 * diagnose() and compactFindings() on synthesised findings for workspaces of 50/200/500 pods
 * (≈ 3 findings per pod, realistic evidence and details, a few incidents). Medians over several runs.
 */
import { compactFindings } from '../src/analysis/diagnose/compact.js';
import { diagnose } from '../src/analysis/diagnose/diagnose.js';
import type { Finding, FindingKind, Severity } from '../src/analysis/types.js';

const REPS = Number(process.env.BENCH_REPS ?? 9);
const T0 = Date.UTC(2026, 2, 1, 10);
const iso = (min: number): string => new Date(T0 + min * 60_000).toISOString();

const SERIES: Record<FindingKind, string> = {
  anomaly: 'cpu_usage',
  oom_kill: 'container_oom_events',
  memory_growth: 'memory_working_set',
  restarts: 'container_restarts',
  not_ready: 'pod_not_ready',
  cpu_throttling: 'cpu_throttling_ratio',
  cpu_saturation: 'cpu_usage_vs_limits',
  latency: 'http_latency_p95',
  errors: 'http_error_ratio',
  capacity: 'pvc_usage',
  quota: 'quota_usage',
  egress: 'network_transmit_bytes',
  rightsizing: 'cpu_request_vs_usage',
  compliance: 'container_limits_missing',
  security: 'auth_failures',
  deploy: 'deployment_generation',
  k8s_event: 'k8s_events',
  log_pattern: 'otel_logs',
};

let seed = 42;
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

function make(kind: FindingKind, ns: string, workload: string, pod: string, severity: Severity, minute: number): Finding {
  const labels = `{namespace="${ns}",pod="${pod}",container="main"}`;
  const base = rand();
  return {
    id: `${kind}:${ns}/${pod}`,
    kind,
    severity,
    title: `${kind.replace(/_/g, ' ')} on ${pod}`,
    resource: {
      namespace: ns,
      workload,
      pod,
      container: 'main',
      ...(kind === 'latency' || kind === 'errors' ? { service: workload } : {}),
    },
    score: Math.round(rand() * 100) / 100,
    started_at: iso(minute),
    evidence: Array.from({ length: 5 }, (_, i) => ({
      series: `${SERIES[kind]}${labels}`,
      time: iso(minute + i * 5),
      value: Math.round((base + i * 0.07) * 1000) / 1000,
      why:
        i === 0
          ? `${kind} detector fired (z-score ${(3 + rand() * 4).toFixed(1)})`
          : `still ${(base + i * 0.07).toFixed(2)} at +${i * 5} min`,
    })),
    details: {
      replicas: 3,
      memory_limit_bytes: 536_870_912,
      cpu_limit_cores: 0.5,
      detector: 'ensemble',
      baseline: Math.round(base * 50) / 100,
      window: '1h',
    },
  };
}

/** ~3 findings per pod; most pods have only informational findings, a few have incidents. */
function workspace(pods: number): Finding[] {
  seed = 42;
  const out: Finding[] = [];
  const kinds: FindingKind[] = ['rightsizing', 'compliance', 'anomaly', 'cpu_throttling', 'latency', 'memory_growth', 'restarts', 'errors'];
  for (let p = 0; p < pods; p++) {
    const ns = `team-${p % 12}`;
    const workload = `svc-${p % Math.max(1, Math.floor(pods / 4))}`;
    const pod = `${workload}-7d9f8b6c5d-${String(p).padStart(5, '0')}`;
    const incident = p % 17 === 0;
    if (p % 50 === 0) out.push(make('deploy', ns, workload, pod, 'info', -5));
    for (let k = 0; k < 3; k++) {
      const kind = kinds[(p + k * 3) % kinds.length]!;
      const severity: Severity = incident ? (k === 0 ? 'critical' : 'warning') : rand() < 0.15 ? 'warning' : 'info';
      out.push(make(kind, ns, workload, pod, severity, Math.floor(rand() * 30)));
    }
    if (incident) out.push(make('oom_kill', ns, workload, pod, 'critical', 10));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const context = { analysisType: 'anomaly' as const, window: { start: T0 / 1000 - 3600, end: T0 / 1000 + 3600 } };
console.log(`reps=${REPS} (median), maxTokens=4000`);
console.log('pods  findings  problems  hypotheses  actions  prompt_tokens  included  omitted  raw_json_tokens  diagnose_ms  compact_ms');
for (const pods of [50, 200, 500]) {
  const fs = workspace(pods);
  const problems = fs.filter((f) => f.severity !== 'info').length;
  // warm-up
  const d = diagnose(fs, context);
  const c = compactFindings(fs, { maxTokens: 4000 });
  const dt: number[] = [];
  const ct: number[] = [];
  for (let i = 0; i < REPS; i++) {
    dt.push(time(() => diagnose(fs, context)));
    ct.push(time(() => compactFindings(fs, { maxTokens: 4000 })));
  }
  const raw = Math.ceil(JSON.stringify(fs).length / 3.5);
  console.log(
    [
      String(pods).padStart(4),
      String(fs.length).padStart(9),
      String(problems).padStart(9),
      String(d.diagnosis.hypotheses.length).padStart(11),
      String(d.proposedActions.length).padStart(8),
      String(c.estimatedTokens).padStart(14),
      String(c.included).padStart(9),
      String(c.omitted).padStart(8),
      String(raw).padStart(16),
      median(dt).toFixed(2).padStart(12),
      median(ct).toFixed(2).padStart(11),
    ].join(' '),
  );
}
