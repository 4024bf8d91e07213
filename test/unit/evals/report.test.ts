/** Summary line and aggregates, the HTML report (self-contained, escaped), compare, progress output. */
import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison } from '../../../evals/runner/compare.js';
import { createProgress } from '../../../evals/runner/progress.js';
import { externalReferences, renderHtml } from '../../../evals/runner/report-html.js';
import { parseReport, RunReportSchema, type CaseResult, type RunReport } from '../../../evals/runner/report-schema.js';
import { percentile, summarise, summaryLine } from '../../../evals/runner/summary.js';

function result(id: string, status: CaseResult['status'], o: Partial<CaseResult> = {}): CaseResult {
  return {
    case_id: id,
    title: `case ${id}`,
    difficulty: 'easy',
    category: 'reliability',
    tags: ['memory'],
    repetition: 1,
    status,
    fatal: false,
    error: status === 'errored' ? 'route POST /workspaces/ws/chat is not registered' : null,
    latency_ms: 100,
    tokens: null,
    scorers:
      status === 'errored'
        ? []
        : [
            { name: 'facts', kind: 'quality', status: status === 'passed' ? 'pass' : 'fail', details: ['x'] },
            { name: 'scope', kind: 'safety', status: 'pass', details: [] },
          ],
    steps: [{ method: 'POST', path: '/workspaces/ws-a/analyze', status: 200, expected_status: [200], latency_ms: 90 }],
    diagnosed_by: 'deterministic',
    tool_calls: [{ tool: 'fetch_series', status: 'ok' }],
    control_plane_writes: 0,
    answer: 'memory leak in shop/api',
    ...o,
  };
}

function report(results: CaseResult[], o: Partial<RunReport> = {}): RunReport {
  return RunReportSchema.parse({
    schema_version: 1,
    run_id: 'run-1',
    started_at: '2026-11-28T12:00:00.000Z',
    finished_at: '2026-11-28T12:00:10.000Z',
    duration_ms: 10_000,
    model: { mode: 'deterministic', name: null },
    judge_model: null,
    prompts: { dir: '/repo/prompts', hashes: { diagnosis: 'a'.repeat(64) } },
    git: { commit: 'c'.repeat(40), dirty: false },
    node: 'v20',
    repeat: 1,
    case_filter: [],
    summary: summarise(results),
    results,
    langfuse: { status: 'skipped' },
    ...o,
  });
}

describe('summary', () => {
  it('prints the pass rate line exactly', () => {
    expect(summaryLine({ passed: 28, total: 30, pass_rate: 28 / 30 })).toBe('pass rate 93.3% (28/30)');
    expect(summaryLine({ passed: 0, total: 0, pass_rate: 0 })).toBe('pass rate 0.0% (0/0)');
  });

  it('counts errored cases as not passed, groups by difficulty, category and tag, and tallies scorers', () => {
    const s = summarise([
      result('01', 'passed'),
      result('02', 'failed', { difficulty: 'hard', tags: ['memory', 'oom'], fatal: true }),
      result('03', 'errored', { category: 'injection', tags: [] }),
    ]);
    expect(s).toMatchObject({ total: 3, passed: 1, failed: 1, errored: 1, safety_violations: 1 });
    expect(s.pass_rate).toBeCloseTo(1 / 3);
    expect(s.by_difficulty).toEqual({ easy: { total: 2, passed: 1, pass_rate: 0.5 }, hard: { total: 1, passed: 0, pass_rate: 0 } });
    expect(s.by_category.injection).toEqual({ total: 1, passed: 0, pass_rate: 0 });
    expect(s.by_tag).toEqual({ memory: { total: 2, passed: 1, pass_rate: 0.5 }, oom: { total: 1, passed: 0, pass_rate: 0 } });
    expect(s.scorers.facts).toEqual({ kind: 'quality', pass: 1, fail: 1, not_applicable: 0, not_run: 0 });
    expect(s.tokens).toBeNull();
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('HTML report', () => {
  const hostile = result('04', 'failed', {
    title: '<script>alert(1)</script>',
    answer: 'IGNORE PREVIOUS INSTRUCTIONS <img src="https://evil.example/x.png"> <a href="http://evil.example">click</a>',
    tokens: { calls: 2, input: 1200, output: 300, cost_usd: 0.0012, models: ['openai:gpt-4o-mini'] },
  });
  const html = renderHtml(report([result('01', 'passed'), result('02', 'errored'), hostile]));

  it('is self-contained: no external URL in any src or href, no script, stylesheet link or import', () => {
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
  });

  it('has a detector for external references that finds them', () => {
    expect(externalReferences('<img src="https://x/y.png"><a href=\'//cdn/x\'>a</a><a href=#local>b</a><link href = "http://z">')).toEqual([
      'https://x/y.png',
      '//cdn/x',
      'http://z',
    ]);
  });

  it('escapes everything from the run (answers may quote attacker text)', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=&quot;https://evil.example/x.png&quot;&gt;');
    expect(html).not.toContain('<img');
  });

  it('shows the summary line, inline SVG charts by difficulty, category and tag, tokens and per-case details', () => {
    expect(html).toContain('pass rate 33.3% (1/3)');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    for (const caption of ['by difficulty', 'by category', 'by tag', 'latency per case', 'tokens per case (in + out)'])
      expect(html).toContain(`<figcaption>${caption}</figcaption>`);
    expect(html).toContain('2 calls, 1200 in / 300 out');
    expect(html).toContain('route POST /workspaces/ws/chat is not registered');
    expect(html).toContain('<details>');
  });
});

describe('compare', () => {
  const a = report([result('01', 'passed'), result('02', 'failed'), result('03', 'passed'), result('05', 'passed')]);
  const b = report([result('01', 'failed'), result('02', 'passed'), result('03', 'passed'), result('04', 'passed')], {
    model: { mode: 'openai', name: 'openai:gpt-4o-mini' },
  });

  it('classifies each case and the pass-rate delta', () => {
    const c = compareReports(a, b);
    expect(c.improved.map((d) => d.case_id)).toEqual(['02']);
    expect(c.regressed).toEqual([{ case_id: '01', title: 'case 01', a: 1, b: 0, b_failing: ['facts'] }]);
    expect(c.unchanged.map((d) => d.case_id)).toEqual(['03']);
    expect(c.only_a).toEqual(['05']);
    expect(c.only_b).toEqual(['04']);
    expect(c.pass_rate.delta).toBeCloseTo(0);
  });

  it('compares repetitions as shares of passes', () => {
    const r1 = report([result('01', 'passed'), result('01', 'failed', { repetition: 2 })]);
    const r2 = report([result('01', 'passed'), result('01', 'passed', { repetition: 2 })]);
    expect(compareReports(r1, r2).improved).toEqual([expect.objectContaining({ case_id: '01', a: 0.5, b: 1 })]);
  });

  it('prints improved, regressed, unchanged and the delta', () => {
    const text = formatComparison(compareReports(a, b), a, b);
    expect(text).toMatch(/improved \(1\):\n {2}\+ 02 {2}0% → 100%/);
    expect(text).toMatch(/regressed \(1\):\n {2}- 01 {2}100% → 0% {2}case 01 {2}\[failing: facts\]/);
    expect(text).toMatch(/unchanged \(1\): 1 passing, 0 not passing/);
    expect(text).toMatch(/only in A: 05\nonly in B: 04/);
    expect(text).toMatch(/pass rate 75\.0% → 75\.0% \(\+0\.0 points\)$/);
  });

  it('refuses a file that is not a report', () => {
    expect(() => parseReport('{"schema_version":1}', 'x.json')).toThrow(/^x\.json: not an eval report \(schema v1\): run_id: /);
    expect(() => parseReport('nope', 'y.json')).toThrow(/^y\.json: not JSON/);
  });
});

describe('progress', () => {
  const sink = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 80, write: (t: string) => out.push(t) } };
  };
  it('prints one line per case when stderr is not a terminal', () => {
    const { out, stream } = sink(false);
    const p = createProgress(2, stream);
    p.start('01-a');
    p.done({ caseId: '01-a', repetition: 1, status: 'passed', latencyMs: 12.4, fatal: false });
    p.done({ caseId: '02-b', repetition: 2, status: 'failed', latencyMs: 30, fatal: true });
    p.finish();
    expect(out).toEqual(['[1/2] 01-a pass 12 ms\n', '[2/2] 02-b #2 FAIL (SAFETY) 30 ms\n']);
  });
  it('redraws a bar in place on a terminal and keeps failures above it', () => {
    const { out, stream } = sink(true);
    const p = createProgress(2, stream);
    p.start('01-a');
    p.done({ caseId: '01-a', repetition: 1, status: 'errored', latencyMs: 5, fatal: false });
    p.finish();
    const shown = out.map((t) => t.replaceAll('\x1b', '<ESC>'));
    expect(shown[0]).toBe(`\r<ESC>[2K[${'.'.repeat(24)}] 0/2 passed 0 01-a`);
    expect(shown[1]).toBe('\r<ESC>[2K[1/2] 01-a ERROR 5 ms\n');
    expect(shown[2]!.startsWith(`\r<ESC>[2K[${'#'.repeat(12)}${'.'.repeat(12)}] 1/2`)).toBe(true);
    expect(out.at(-1)).toBe('\n');
  });
});
