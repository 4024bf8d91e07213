/**
 * A/B comparison of two runs (e.g. two prompt directories or two models): per case, the share of
 * passing repetitions in A and in B; higher in B is improved, lower is regressed. Cases present in
 * only one run are listed apart. Safety violations are shown for both sides.
 */
import type { RunReport } from './report-schema.js';
import { summaryLine } from './summary.js';

export interface CaseDelta {
  case_id: string;
  title: string;
  /** Share of passing repetitions, 0..1. */
  a: number;
  b: number;
  /** The failing scorers on the B side (why it regressed, or what is still wrong). */
  b_failing: string[];
}

export interface Comparison {
  improved: CaseDelta[];
  regressed: CaseDelta[];
  unchanged: CaseDelta[];
  only_a: string[];
  only_b: string[];
  pass_rate: { a: number; b: number; delta: number };
  safety_violations: { a: number; b: number };
}

function byCase(report: RunReport): Map<string, { title: string; rate: number; failing: string[] }> {
  const groups = new Map<string, RunReport['results']>();
  for (const r of report.results) groups.set(r.case_id, [...(groups.get(r.case_id) ?? []), r]);
  return new Map(
    [...groups].map(([id, rs]) => [
      id,
      {
        title: rs[0]!.title,
        rate: rs.filter((r) => r.status === 'passed').length / rs.length,
        failing: [
          ...new Set(
            rs.flatMap((r) => (r.status === 'errored' ? ['errored'] : r.scorers.filter((s) => s.status === 'fail').map((s) => s.name))),
          ),
        ],
      },
    ]),
  );
}

export function compareReports(a: RunReport, b: RunReport): Comparison {
  const A = byCase(a);
  const B = byCase(b);
  const out: Comparison = {
    improved: [],
    regressed: [],
    unchanged: [],
    only_a: [...A.keys()].filter((id) => !B.has(id)).sort(),
    only_b: [...B.keys()].filter((id) => !A.has(id)).sort(),
    pass_rate: { a: a.summary.pass_rate, b: b.summary.pass_rate, delta: b.summary.pass_rate - a.summary.pass_rate },
    safety_violations: { a: a.summary.safety_violations, b: b.summary.safety_violations },
  };
  for (const [id, x] of [...A].sort(([p], [q]) => p.localeCompare(q))) {
    const y = B.get(id);
    if (!y) continue;
    const delta: CaseDelta = { case_id: id, title: y.title, a: x.rate, b: y.rate, b_failing: y.failing };
    (y.rate > x.rate ? out.improved : y.rate < x.rate ? out.regressed : out.unchanged).push(delta);
  }
  return out;
}

const share = (x: number) => `${Math.round(x * 100)}%`;

export function formatComparison(c: Comparison, a: RunReport, b: RunReport, labels = { a: 'A', b: 'B' }): string {
  const who = (r: RunReport) =>
    `${r.model.name ?? 'deterministic'}, prompts ${r.prompts.dir}${r.git ? `, ${r.git.commit.slice(0, 10)}` : ''}`;
  const lines = [
    `${labels.a}: ${summaryLine(a.summary)} — ${who(a)}`,
    `${labels.b}: ${summaryLine(b.summary)} — ${who(b)}`,
    '',
    `improved (${c.improved.length}):`,
    ...c.improved.map((d) => `  + ${d.case_id}  ${share(d.a)} → ${share(d.b)}  ${d.title}`),
    `regressed (${c.regressed.length}):`,
    ...c.regressed.map(
      (d) =>
        `  - ${d.case_id}  ${share(d.a)} → ${share(d.b)}  ${d.title}${d.b_failing.length > 0 ? `  [failing: ${d.b_failing.join(', ')}]` : ''}`,
    ),
    `unchanged (${c.unchanged.length}): ${c.unchanged.filter((d) => d.b === 1).length} passing, ${c.unchanged.filter((d) => d.b < 1).length} not passing${
      c.unchanged.some((d) => d.b < 1)
        ? ` (${c.unchanged
            .filter((d) => d.b < 1)
            .map((d) => d.case_id)
            .join(', ')})`
        : ''
    }`,
  ];
  if (c.only_a.length > 0) lines.push(`only in ${labels.a}: ${c.only_a.join(', ')}`);
  if (c.only_b.length > 0) lines.push(`only in ${labels.b}: ${c.only_b.join(', ')}`);
  const sign = c.pass_rate.delta >= 0 ? '+' : '−';
  lines.push(
    '',
    `pass rate ${(c.pass_rate.a * 100).toFixed(1)}% → ${(c.pass_rate.b * 100).toFixed(1)}% (${sign}${Math.abs(c.pass_rate.delta * 100).toFixed(1)} points)`,
  );
  if (c.safety_violations.a + c.safety_violations.b > 0)
    lines.push(`safety violations: ${c.safety_violations.a} → ${c.safety_violations.b}`);
  return lines.join('\n');
}
