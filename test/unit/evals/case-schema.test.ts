import { describe, expect, it } from 'vitest';
import { CaseError, compilePattern, parseCase, stepsOf } from '../../../evals/runner/case-schema.js';
import { globToRegExp, matchesAny } from '../../../evals/runner/load-cases.js';

const MINIMAL = `
id: 07-minimal
title: A minimal case
difficulty: easy
category: reliability
scenario:
  workspaces: [{id: ws-a, incidents: [memory_leak]}]
request: {kind: analyze, analysis_type: anomaly}
`;

function problems(yaml: string, folder?: string): string[] {
  try {
    parseCase(yaml, 'x/case.yaml', folder);
  } catch (err) {
    expect(err).toBeInstanceOf(CaseError);
    expect((err as Error).message).toMatch(/^invalid eval case x\/case\.yaml:/);
    return [...(err as CaseError).problems];
  }
  throw new Error('expected the case to be refused');
}

describe('case schema', () => {
  it('fills the defaults of a minimal case', () => {
    const c = parseCase(MINIMAL, 'x/case.yaml', '07-minimal');
    expect(c.token).toEqual({ permissions: ['aiops:read', 'aiops:analyze'], sub: 'eval-user' });
    expect(c.scenario.clock).toBe('2026-11-28T12:00:00Z');
    expect(c.scenario.workspaces[0]).toMatchObject({ id: 'ws-a', preset: 'baseline', incidents: ['memory_leak'] });
    expect(c.scenario.adversarial).toEqual({ labels: {}, alerts: [], event_messages: [], log_lines: [] });
    expect(c.scenario.workspaces[0]!.event_incidents).toEqual([]);
    expect(c.expect).toMatchObject({
      mutation: 'none',
      min_writes: 0,
      tools: { expected: [], forbidden: [] },
      facts: { top: 1, text: [], absent: [] },
    });
    expect(stepsOf(c)).toEqual([{ kind: 'analyze', analysis_type: 'anomaly', time_range_minutes: 360, targets: [] }]);
  });

  it('keeps the case token for fields a step does not override', () => {
    const c = parseCase(
      `${MINIMAL.replace(/request:.*\n/, '')}token: {permissions: [aiops:remediate]}
steps:
  - {kind: http, method: GET, path: /x, status: 200, token: {sub: bob}}
`,
      'x/case.yaml',
    );
    expect(stepsOf(c)[0]!.token).toEqual({ sub: 'bob' });
  });

  it('names the file and every bad field', () => {
    const bad = `
id: 7-bad
title: x
difficulty: trivial
category: reliability
scenario:
  clock: "2026-11-28T12:30:00Z"
  workspaces: [{id: ws-a, incidents: [meteor_strike]}]
request: {kind: analyze, analysis_type: anomaly}
steps: [{kind: analyze, analysis_type: anomaly}]
expect:
  facts: {root_cause: "memory (leak"}
  colour: blue
`;
    const p = problems(bad);
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: NN-slug/),
        expect.stringMatching(/^title: /),
        expect.stringMatching(/^difficulty: /),
        expect.stringMatching(/^scenario\.clock: must be on the hour/),
        expect.stringMatching(/^scenario\.workspaces\.0\.incidents\.0: unknown incident kind "meteor_strike"; one of memory_leak, /),
        expect.stringMatching(/^expect\.facts\.root_cause: not a valid regular expression/),
        expect.stringMatching(/^expect: Unrecognized key: "colour"/),
      ]),
    );
  });

  it('refuses both request and steps, neither, and a token for a workspace the scenario lacks', () => {
    const both = `${MINIMAL}steps: [{kind: analyze, analysis_type: anomaly}]\n`;
    expect(problems(both)).toEqual(['request: give exactly one of request or steps']);
    expect(problems(MINIMAL.replace(/request:.*\n/, ''))).toEqual(['request: give exactly one of request or steps']);
    expect(problems(`${MINIMAL}token: {workspace: ws-z}\n`)).toEqual(['token.workspace: "ws-z" is not a workspace of the scenario']);
  });

  it('requires an http request to state its expected status, and an id equal to the folder', () => {
    expect(problems(MINIMAL.replace(/request:.*\n/, 'request: {kind: http, method: GET, path: /health}\n'))).toEqual([
      expect.stringMatching(/^request\.status: /),
    ]);
    expect(problems(MINIMAL, '08-other')).toEqual(['id: "07-minimal" must equal the folder name "08-other"']);
  });

  it('reports YAML syntax errors as such', () => {
    expect(problems('id: [unclosed')[0]).toMatch(/^not valid YAML: /);
  });

  it('compiles patterns: plain text is case-insensitive, /re/flags as given', () => {
    expect(compilePattern('Memory Leak').test('a memory leak')).toBe(true);
    expect(compilePattern('/Memory/').test('memory')).toBe(false);
    expect(compilePattern('/a.b/s').test('a\nb')).toBe(true);
  });
});

describe('case globs', () => {
  it('match folder names, also when given as paths', () => {
    expect(globToRegExp('0*-mem*').test('01-memory-leak')).toBe(true);
    expect(globToRegExp('0?-x').test('01-x')).toBe(true);
    expect(globToRegExp('1*').test('01-x')).toBe(false);
    expect(matchesAny('01-memory-leak', ['evals/cases/01-*'])).toBe(true);
    expect(matchesAny('01-memory-leak', ['evals/cases/01-memory-leak/case.yaml'])).toBe(true);
    expect(matchesAny('01-memory-leak', ['2*', '3*'])).toBe(false);
    expect(matchesAny('01-memory-leak', [])).toBe(true);
  });
});
