/**
 * The fuzz suite's generators produce the hostile classes it promises (issue 19, item 4): sampled
 * with a fixed seed for a representative operation, materialised as they would be sent, and
 * searched for each class. A generator change that silently drops one fails here.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { rsaKey } from '../helpers/keys.js';
import { caseArbitrary, PERMISSION_SETS, type FuzzCase } from './cases.js';
import type { Operation } from './operations.js';
import { materialize, type SentRequest, type Target } from './send.js';

const OP: Operation = {
  id: 'POST /workspaces/{workspace_id}/things/{thing_id}',
  method: 'POST',
  path: '/workspaces/{workspace_id}/things/{thing_id}',
  parameters: [
    { name: 'workspace_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' } },
    {
      name: 'thing_id',
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
    },
    { name: 'step', in: 'query', required: false, schema: { type: 'string', maxLength: 20 } },
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
  ],
  body: {
    required: true,
    schema: {
      type: 'object',
      properties: {
        target_resource: { type: 'string', maxLength: 300, pattern: '^[a-z]+\\/[A-Za-z0-9._-]+$' },
        parameters: { type: 'object', additionalProperties: {} },
        count: { type: 'integer', minimum: 1, maximum: 5 },
      },
      required: ['target_resource'],
      additionalProperties: false,
    },
  },
  guarded: true,
  scope: 'aiops:read',
  responses: {},
  hidden: false,
};

let cases: FuzzCase[];
let sent: SentRequest[];
let texts: string[];

beforeAll(async () => {
  const [key, wrongKey] = await Promise.all([rsaKey('k1'), rsaKey('k2')]);
  const target: Target = { port: 0, workspaceId: 'ws-a', otherWorkspaceId: 'ws-other', key, wrongKey, tokenCache: new Map() };
  cases = fc.sample(caseArbitrary(OP, { fixtureIds: {} }), { seed: 42, numRuns: 1500 });
  sent = [];
  for (const c of cases) sent.push(await materialize(target, OP, c));
  texts = sent.map((r) => r.body?.toString('utf8') ?? '');
});

const bodies = () => texts;
const some = (texts: string[], test: (t: string) => boolean) => texts.some(test);

describe('hostile classes in generated requests', () => {
  it('characters: NUL, lone surrogates (as JSON escapes), bidi overrides', () => {
    expect(some(bodies(), (b) => b.includes('\\u0000') || b.includes('\u0000'))).toBe(true);
    expect(some(bodies(), (b) => /\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i.test(b))).toBe(true);
    expect(some([...bodies(), ...sent.map((r) => r.url)], (t) => t.includes('\u202e') || t.includes('%E2%80%AE'))).toBe(true);
    expect(
      some(
        sent.map((r) => r.url),
        (u) => u.includes('%00'),
      ),
    ).toBe(true);
  });

  it('sizes and depth: bodies over 1 MiB, JSON nested 1,000 levels and more, values past maxLength', () => {
    expect(sent.some((r) => (r.body?.length ?? 0) > 1_048_576)).toBe(true);
    expect(some(bodies(), (b) => b.includes('['.repeat(1000)) || b.includes('{"a":'.repeat(1000)))).toBe(true);
    expect(some(bodies(), (b) => b.includes('x'.repeat(301)))).toBe(true);
  });

  it('numbers: 1e308, literals that overflow to Infinity, durations like 99999999999999y, out-of-range integers', () => {
    expect(
      some(bodies(), (b) => b.includes('1e+308')),
      '1e308',
    ).toBe(true);
    expect(
      some(bodies(), (b) => b.includes('1e400')),
      '1e400',
    ).toBe(true);
    expect(
      sent.some((r) => r.query.some(([k, v]) => k === 'step' && v === '99999999999999y')),
      '99999999999999y',
    ).toBe(true);
    expect(
      sent.some((r) => r.query.some(([k, v]) => k === 'limit' && (v === '201' || v === '0'))),
      'limit out of range',
    ).toBe(true);
  });

  it('structure: wrong types, unknown keys, duplicated query parameters, prototype keys', () => {
    const parsed = bodies()
      .filter((b) => b.length < 10_000)
      .map((b) => {
        try {
          return JSON.parse(b) as unknown;
        } catch {
          return undefined;
        }
      });
    expect(
      parsed.some((p) => p !== null && typeof p === 'object' && typeof (p as Record<string, unknown>).target_resource === 'number'),
    ).toBe(true);
    expect(parsed.some((p) => Array.isArray(p))).toBe(true);
    expect(sent.some((r) => new Set(r.query.map(([k]) => k)).size < r.query.length)).toBe(true);
    expect(some(bodies(), (b) => b.includes('"__proto__"'))).toBe(true);
  });

  it('paths: raw .., %2e%2e, encoded slashes, and dot names a pattern still accepts', () => {
    expect(sent.some((r) => /\/\.\.(\/|$)/.test(r.url.split('?')[0]!))).toBe(true);
    expect(sent.some((r) => /%2e%2e/i.test(r.url))).toBe(true);
    expect(sent.some((r) => /%2F/.test(r.url.split('?')[0]!))).toBe(true);
    expect(some(bodies(), (b) => /"[a-z]+\/\.\.?"/.test(b))).toBe(true);
  });

  it('credentials: every permission set, another workspace, none, forged, and claims beyond what a Date holds', () => {
    const perms = new Set(cases.flatMap((c) => (c.auth.kind === 'token' ? [c.auth.permissions.join(',')] : [])));
    for (const set of PERMISSION_SETS) expect(perms, set.join(',')).toContain(set.join(','));
    expect(cases.some((c) => c.auth.kind === 'token' && c.auth.workspace === 'other')).toBe(true);
    expect(sent.some((r) => r.headers.authorization === undefined)).toBe(true);
    expect(new Set(cases.flatMap((c) => (c.auth.kind === 'forged' ? [c.auth.how] : []))).size).toBeGreaterThanOrEqual(8);
    expect(sent.some((r) => r.claims !== null && typeof r.claims.exp === 'number' && !(Math.abs(r.claims.exp) * 1000 <= 8.64e15))).toBe(
      true,
    );
  });

  it('requests: other methods and odd content types', () => {
    expect(new Set(sent.map((r) => r.method)).size).toBeGreaterThan(3);
    expect(sent.some((r) => r.body !== null && r.headers['content-type'] === undefined)).toBe(true);
    expect(sent.some((r) => String(r.headers['content-type'] ?? '').startsWith('text/plain'))).toBe(true);
  });
});
