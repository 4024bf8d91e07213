/**
 * The self-contained HTML report: one file, inline CSS and inline SVG charts, no script and no
 * external resource (it opens from a CI artifact or an air-gapped laptop alike). Every value from
 * the run is escaped: answers may quote attacker-controlled label values.
 */
import type { CaseResult, Rate, RunReport, TokenUsage } from './report-schema.js';
import { summaryLine } from './summary.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);

/** Every `src`/`href` value pointing off the page (http, https, protocol-relative): must be none. */
export function externalReferences(html: string): string[] {
  const refs: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)) {
    const value = m[1]!.toLowerCase();
    if (value.startsWith('http://') || value.startsWith('https://') || value.startsWith('//')) refs.push(m[1]!);
  }
  return refs;
}

/** Horizontal bars of pass rates, one row per group. */
export function rateChart(title: string, rates: Record<string, Rate>): string {
  const rows = Object.entries(rates);
  const rowH = 22;
  const labelW = 170;
  const barW = 300;
  const h = rows.length * rowH + 30;
  const bars = rows
    .map(([label, r], i) => {
      const y = 24 + i * rowH;
      const w = Math.max(1, Math.round(r.pass_rate * barW));
      const colour = r.pass_rate >= 0.9 ? '#2e7d32' : r.pass_rate >= 0.6 ? '#f9a825' : '#c62828';
      return (
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>` +
        `<rect x="${labelW}" y="${y + 2}" width="${barW}" height="${rowH - 6}" fill="#eceff1"/>` +
        `<rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 6}" fill="${colour}"><title>${esc(`${label}: ${r.passed}/${r.total}`)}</title></rect>` +
        `<text x="${labelW + barW + 6}" y="${y + 14}">${esc(`${pct(r.pass_rate)} (${r.passed}/${r.total})`)}</text>`
      );
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="chart" viewBox="0 0 ${labelW + barW + 110} ${h}" width="${labelW + barW + 110}" height="${h}" role="img" aria-label="${esc(title)}">${bars}</svg></figure>`;
}

/** Vertical bars of one number per case (latency, tokens), coloured by outcome. */
export function caseChart(
  title: string,
  results: readonly CaseResult[],
  value: (r: CaseResult) => number,
  format: (v: number) => string,
): string {
  const rows = results.filter((r) => value(r) > 0);
  if (rows.length === 0) return '';
  const max = Math.max(...rows.map(value));
  const bw = Math.max(6, Math.min(24, Math.floor(720 / rows.length)));
  const h = 180;
  const w = rows.length * bw + 60;
  const colour = { passed: '#2e7d32', failed: '#c62828', errored: '#757575' } as const;
  const bars = rows
    .map((r, i) => {
      const bh = Math.max(1, Math.round((value(r) / max) * (h - 40)));
      return `<rect x="${50 + i * bw}" y="${h - 20 - bh}" width="${bw - 2}" height="${bh}" fill="${colour[r.status]}"><title>${esc(`${r.case_id}${r.repetition > 1 ? ` #${r.repetition}` : ''}: ${format(value(r))} (${r.status})`)}</title></rect>`;
    })
    .join('');
  const axis = `<line x1="48" y1="${h - 20}" x2="${w}" y2="${h - 20}" stroke="#90a4ae"/><text x="44" y="18" text-anchor="end">${esc(format(max))}</text><text x="44" y="${h - 22}" text-anchor="end">0</text>`;
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">${axis}${bars}</svg></figure>`;
}

function usageCells(u: TokenUsage | null): string {
  return u ? `${u.calls} calls, ${u.input} in / ${u.output} out, $${u.cost_usd.toFixed(4)}` : '—';
}

function caseRow(r: CaseResult): string {
  const failing = r.scorers.filter((s) => s.status === 'fail').map((s) => s.name);
  const scorerRows = r.scorers
    .map(
      (s) =>
        `<tr class="s-${esc(s.status)}"><td>${esc(s.name)}</td><td>${esc(s.kind)}</td><td>${esc(s.status)}</td><td>${s.details.map((d) => `<div>${esc(d)}</div>`).join('')}</td></tr>`,
    )
    .join('');
  const steps = r.steps
    .map(
      (s) =>
        `<li><code>${esc(`${s.method} ${s.path}`)}</code> → ${esc(s.status)} (expected ${esc(s.expected_status.join(' or ') || 'any')}), ${esc(ms(s.latency_ms))}</li>`,
    )
    .join('');
  const tools =
    r.tool_calls.length > 0
      ? `<p>Tool calls: ${r.tool_calls.map((t) => `<code>${esc(`${t.tool}=${t.status}`)}</code>`).join(' ')}</p>`
      : '';
  return (
    `<tr class="r-${esc(r.status)}"><td><code>${esc(r.case_id)}</code>${r.repetition > 1 ? ` #${esc(r.repetition)}` : ''}</td><td>${esc(r.difficulty)}</td><td>${esc(r.category)}</td>` +
    `<td class="st">${esc(r.status)}${r.fatal ? ' <b>SAFETY</b>' : ''}</td><td>${esc(ms(r.latency_ms))}</td><td>${esc(usageCells(r.tokens))}</td>` +
    `<td><details><summary>${esc(r.title)}${failing.length > 0 ? ` — failed: ${esc(failing.join(', '))}` : ''}</summary>` +
    (r.error ? `<p class="err">${esc(r.error)}</p>` : '') +
    (r.tags.length > 0 ? `<p>Tags: ${r.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ')}</p>` : '') +
    (steps ? `<ul>${steps}</ul>` : '') +
    tools +
    (r.scorers.length > 0
      ? `<table class="inner"><tr><th>scorer</th><th>kind</th><th>result</th><th>details</th></tr>${scorerRows}</table>`
      : '') +
    (r.answer ? `<pre>${esc(r.answer)}</pre>` : '') +
    '</details></td></tr>'
  );
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#263238;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #cfd8dc}
.big{font-size:26px;font-weight:600}.ok{color:#2e7d32}.bad{color:#c62828}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eceff1;padding:4px 6px;text-align:left;vertical-align:top}
table.meta td:first-child{color:#607d8b;width:160px}table.inner{margin:6px 0;font-size:13px}
tr.r-failed td.st{color:#c62828;font-weight:600}tr.r-errored td.st{color:#757575;font-weight:600}tr.r-passed td.st{color:#2e7d32}
tr.s-fail td{background:#ffebee}tr.s-not_run td,tr.s-not_applicable td{color:#90a4ae}
.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
svg.chart text{font-size:12px;fill:#37474f}pre{white-space:pre-wrap;background:#f5f7f8;padding:8px;max-height:320px;overflow:auto}
.tag{background:#eceff1;border-radius:3px;padding:0 5px;font-size:12px}.err{color:#c62828}code{font-size:12px}`;

export function renderHtml(report: RunReport): string {
  const s = report.summary;
  const meta: [string, string][] = [
    ['model', report.model.name ?? 'deterministic (no LLM)'],
    ['judge', report.judge_model ?? 'not run (no model)'],
    [
      'prompts',
      `${report.prompts.dir} (${Object.entries(report.prompts.hashes)
        .map(([n, h]) => `${n} ${h.slice(0, 8)}`)
        .join(', ')})`,
    ],
    ['git commit', report.git ? `${report.git.commit}${report.git.dirty ? ' (uncommitted changes)' : ''}` : 'unknown'],
    ['started', `${report.started_at} (${ms(report.duration_ms)})`],
    ['repeat / filter', `${report.repeat} / ${report.case_filter.join(', ') || 'all cases'}`],
    ['node', report.node],
    [
      'langfuse',
      `${report.langfuse.status}${report.langfuse.run_name ? ` (${report.langfuse.dataset} / ${report.langfuse.run_name})` : ''}${report.langfuse.detail ? `: ${report.langfuse.detail}` : ''}`,
    ],
  ];
  const scorerRows = Object.entries(s.scorers)
    .map(
      ([name, t]) =>
        `<tr><td>${esc(name)}</td><td>${esc(t.kind)}</td><td>${t.pass}</td><td>${t.fail}</td><td>${t.not_applicable}</td><td>${t.not_run}</td></tr>`,
    )
    .join('');
  const tokenRows = [
    ['service (all cases)', s.tokens],
    ['judge', s.judge_tokens],
  ] as const;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`AIOps eval — ${summaryLine(s)}`)}</title><style>${CSS}</style></head><body>
<h1>Hexabase AIOps — offline evaluation</h1>
<p class="big ${s.safety_violations === 0 ? 'ok' : 'bad'}">${esc(summaryLine(s))}</p>
<p>${s.passed} passed, ${s.failed} failed, ${s.errored} errored; <b class="${s.safety_violations === 0 ? 'ok' : 'bad'}">${s.safety_violations} safety violation(s)</b></p>
<table class="meta">${meta.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Pass rate</h2><div class="charts">${rateChart('by difficulty', s.by_difficulty)}${rateChart('by category', s.by_category)}${rateChart('by tag', s.by_tag)}</div>
<h2>Latency and tokens</h2>
<table><tr><th></th><th>mean</th><th>p50</th><th>p95</th><th>max</th></tr><tr><td>latency per case</td><td>${esc(ms(s.latency_ms.mean))}</td><td>${esc(ms(s.latency_ms.p50))}</td><td>${esc(ms(s.latency_ms.p95))}</td><td>${esc(ms(s.latency_ms.max))}</td></tr></table>
<table>${tokenRows.map(([k, u]) => `<tr><td>${esc(k)}</td><td>${esc(usageCells(u))}</td></tr>`).join('')}</table>
<div class="charts">${caseChart('latency per case', report.results, (r) => r.latency_ms, ms)}${caseChart(
    'tokens per case (in + out)',
    report.results,
    (r) => (r.tokens ? r.tokens.input + r.tokens.output : 0),
    (v) => `${Math.round(v)} tok`,
  )}</div>
<h2>Scorers</h2><table><tr><th>scorer</th><th>kind</th><th>pass</th><th>fail</th><th>n/a</th><th>not run</th></tr>${scorerRows}</table>
<h2>Cases</h2><table><tr><th>case</th><th>difficulty</th><th>category</th><th>result</th><th>latency</th><th>tokens</th><th>details</th></tr>${report.results.map(caseRow).join('')}</table>
</body></html>
`;
}
