/**
 * One fuzz case: a whole HTTP request to one operation, as plain data fast-check can generate,
 * shrink and print. Path and query parameters, headers and the body come from the operation's
 * schemas (schema-arbitraries.ts); the credentials range over valid tokens of every permission
 * set, tokens of another workspace, none, garbage, and tokens signed with the real key around
 * hostile claims.
 */
import fc from 'fast-check';
import { PERMISSIONS } from '../../src/auth/permissions.js';
import {
  anyJson,
  hostileNumber,
  hostileText,
  hugeText,
  RawJson,
  Repeat,
  SecondsAgo,
  toJsonText,
  type Json,
  type Text,
} from './hostile-values.js';
import type { Operation, Parameter } from './operations.js';
import { fuzzValue, hostileValue, mutatedValue, validValue, type Hints, type JsonSchema } from './schema-arbitraries.js';
import { queryShapes, valueHints } from './value-hints.js';

export type PermissionSet = readonly string[];

/** The permission sets tokens are minted for: each alone, all, none, and a set of unknown strings. */
export const PERMISSION_SETS: readonly PermissionSet[] = [
  ...PERMISSIONS.map((p) => [p]),
  [...PERMISSIONS],
  [],
  ['aiops:*', 'admin', 'AIOPS:ADMIN'],
];

export type ForgedKind =
  | 'alg-none'
  | 'hs256-with-public-key'
  | 'wrong-key'
  | 'truncated-signature'
  | 'two-tokens'
  | 'two-headers'
  | 'lower-case-scheme'
  | 'basic'
  | 'huge';

export type AuthCase =
  | { kind: 'none' }
  | { kind: 'token'; permissions: PermissionSet; workspace: 'own' | 'other' }
  /** Signed with the real key: a valid contract token with some claims replaced or removed, under a possibly odd header. */
  | { kind: 'claims'; header: Record<string, Json>; set: Record<string, Json>; drop: string[] }
  | { kind: 'forged'; how: ForgedKind }
  | { kind: 'header'; value: Text };

export interface PathValue {
  value: Json;
  /** encoded: every byte outside the unreserved set is %XX; raw: sent as is where HTTP allows (`..`, `%2e`, `/`, latin-1). */
  mode: 'encoded' | 'raw';
}

export type Body = { kind: 'json'; value: Json; contentType: string | null } | { kind: 'text'; value: Text; contentType: string | null };

export interface FuzzCase {
  method: string;
  auth: AuthCase;
  path: Record<string, PathValue>;
  /** In order; a name may repeat (duplicated parameters). */
  query: Array<[Text, Json]>;
  queryMode: 'encoded' | 'raw';
  headers: Array<[string, Text]>;
  body: Body | null;
}

export interface CaseContext {
  /** Ids that exist (a remediation, a run, a thread), so the routes behind a lookup see real records too. */
  fixtureIds: Record<string, readonly string[]>;
}

const CLAIM_NAMES = [
  'exp',
  'iat',
  'nbf',
  'sub',
  'workspace_id',
  'permissions',
  'plan_type',
  'iss',
  'aud',
  'token_type',
  'active_workspace_id',
  'jti',
] as const;

function authArbitrary(scope: string | undefined): fc.Arbitrary<AuthCase> {
  const token = fc.record({
    kind: fc.constant('token' as const),
    permissions: fc.oneof(
      { weight: 4, arbitrary: fc.constant<PermissionSet>([scope ?? 'aiops:read']) },
      { weight: 3, arbitrary: fc.constant<PermissionSet>(['aiops:admin']) },
      { weight: 2, arbitrary: fc.constantFrom(...PERMISSION_SETS) },
    ),
    workspace: fc.constant('own' as const),
  });
  const claimValue = (name: string): fc.Arbitrary<Json> =>
    ['exp', 'iat', 'nbf'].includes(name)
      ? fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map((s) => new SecondsAgo(s, 'unix')) },
          { weight: 3, arbitrary: hostileNumber() },
          { weight: 1, arbitrary: anyJson() },
        )
      : fc.oneof(
          { weight: 2, arbitrary: hostileText() },
          { weight: 1, arbitrary: anyJson() },
          { weight: 1, arbitrary: fc.array(hostileText(), { maxLength: 3 }) },
        );
  const claims = fc.record({
    kind: fc.constant('claims' as const),
    // Mostly the header the service accepts, so the claims are what gets tested.
    header: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Record<string, Json>>({ alg: 'RS256', typ: 'JWT' }) },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            alg: fc.constantFrom<Json>('RS256', 'RS512', 'PS256', 'ES256', 'HS256', 'none', 'rs256', ''),
            typ: fc.constantFrom<Json>('JWT', 'at+jwt', 'JWE'),
            kid: fc.oneof(hostileText(), fc.constant('k1')),
            crit: fc.constant<Json>(['exp']),
            jku: fc.constant<Json>('http://127.0.0.1:59/jwks.json'),
            b64: fc.constant<Json>(false),
          },
          { requiredKeys: ['alg'] },
        ) as fc.Arbitrary<Record<string, Json>>,
      },
    ),
    // The time claims are the ones with arithmetic behind them: named more often.
    set: fc
      .uniqueArray(fc.oneof(fc.constantFrom('exp', 'iat', 'nbf'), fc.constantFrom(...CLAIM_NAMES)), { minLength: 1, maxLength: 3 })
      .chain((names) => fc.tuple(...names.map((n) => claimValue(n).map((v) => [n, v] as const))))
      .map((pairs) => Object.fromEntries(pairs) as Record<string, Json>),
    drop: fc.uniqueArray(fc.constantFrom(...CLAIM_NAMES), { maxLength: 2 }),
  });
  return fc.oneof(
    { weight: 14, arbitrary: token },
    { weight: 1, arbitrary: fc.constant<AuthCase>({ kind: 'token', permissions: ['aiops:admin'], workspace: 'other' }) },
    { weight: 1, arbitrary: fc.constant<AuthCase>({ kind: 'none' }) },
    { weight: 3, arbitrary: claims },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<ForgedKind>(
          'alg-none',
          'hs256-with-public-key',
          'wrong-key',
          'truncated-signature',
          'two-tokens',
          'two-headers',
          'lower-case-scheme',
          'basic',
          'huge',
        )
        .map((how): AuthCase => ({ kind: 'forged', how })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          hostileText(),
          fc.constantFrom('Bearer', 'Bearer ', 'Bearer  x', 'Bearer a.b.c', 'Bearer ..', 'Bearer a.b', 'Token x', 'BEARER\tx'),
        )
        .map((value): AuthCase => ({ kind: 'header', value })),
    },
  );
}

/** Path tricks for wildcard routes (static files): traversal, encodings, NUL, odd case. */
const FILE_TRICKS = [
  '',
  'index.html',
  'app.js',
  'style.css',
  'INDEX.HTML',
  'index.html/',
  './index.html',
  '../package.json',
  '..%2fpackage.json',
  '%2e%2e/%2e%2e/etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  'a/b/../../index.html',
  '%00index.html',
  'index.html%00.png',
  '.env',
  '..\\..\\x',
  '//etc/passwd',
  '%252e%252e/x',
  'index.html?x=1',
  'index.html;.js',
  '%c0%ae%c0%ae/',
  '\u2025/x',
];

function pathValue(p: Parameter, hints: Hints): fc.Arbitrary<PathValue> {
  let value: fc.Arbitrary<Json>;
  if (p.name === 'workspace_id') {
    // Most cases stay in the token's workspace (so they pass the guard and reach validation); `own` is filled in when sent.
    value = fc.oneof(
      { weight: 20, arbitrary: fc.constant<Json>('\u0000own') },
      { weight: 1, arbitrary: fc.constant<Json>('ws-other') },
      { weight: 1, arbitrary: hostileValue(p.schema) },
    );
  } else if (p.name === '*') {
    value = fc.oneof(fc.constantFrom<Json>(...FILE_TRICKS), hostileText());
  } else {
    value = fuzzValue(p.schema, p.name, hints);
  }
  return fc.record({ value, mode: fc.constantFrom<PathValue['mode']>('encoded', 'encoded', 'encoded', 'raw') });
}

/**
 * Query parameters in three mixes: a few declared ones, all valid (the route does its work); the
 * same plus one hostile value; every declared one maybe present, maybe twice, valid or not.
 */
function queryArbitrary(op: Operation, hints: Hints): fc.Arbitrary<Array<[Text, Json]>> {
  const declared = op.parameters.filter((p) => p.in === 'query');
  const none = fc.constant<Array<[Text, Json]>>([]);
  if (declared.length === 0) return fc.oneof({ weight: 6, arbitrary: none }, { weight: 1, arbitrary: unknownParams() });
  const shapes = queryShapes(op.path).map((names) => declared.filter((p) => names.includes(p.name)));
  const some = fc.subarray(declared, { maxLength: Math.min(4, declared.length) });
  const subset = shapes.length > 0 ? fc.oneof(fc.constantFrom(...shapes), some) : some;
  const valid = subset.chain((ps) =>
    fc.tuple(...ps.map((p) => validValue(p.schema, p.name, hints, true).map((v): [Text, Json] => [p.name, v]))),
  );
  const oneHostile = fc
    .tuple(
      valid,
      fc.constantFrom(...declared).chain((p) => hostileValue(p.schema).map((v): [Text, Json] => [p.name, v])),
    )
    .map(([v, h]) => [...v, h]);
  const shotgun = fc
    .tuple(
      fc.tuple(
        ...declared.map((p) => {
          const value = fuzzValue(p.schema, p.name, hints);
          return fc.oneof(
            { weight: 3, arbitrary: fc.constant<Array<[Text, Json]>>([]) },
            { weight: 4, arbitrary: value.map((v): Array<[Text, Json]> => [[p.name, v]]) },
            {
              weight: 1,
              arbitrary: fc.tuple(value, value).map(([a, b]): Array<[Text, Json]> => [
                [p.name, a],
                [p.name, b],
              ]),
            },
          );
        }),
      ),
      fc.oneof({ weight: 6, arbitrary: none }, { weight: 1, arbitrary: unknownParams() }),
    )
    .map(([parts, extra]) => [...parts.flat(), ...extra]);
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 2, arbitrary: oneHostile }, { weight: 2, arbitrary: shotgun });
}

/** Parameters no operation declares, with odd names. */
const unknownParams = (): fc.Arbitrary<Array<[Text, Json]>> =>
  fc.array(
    fc.tuple(fc.oneof(fc.constantFrom<Text>('__proto__', 'constructor', 'x', '', 'a[b]', 'match[]', 'debug'), hostileText()), anyJson()),
    { minLength: 1, maxLength: 3 },
  );

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json, text/plain',
  '',
  'application/vnd.api+json',
  'application/json; charset=latin1',
  '*/*',
];
const BROKEN_JSON = [
  '{',
  '{"a":',
  'not json',
  '\ufeff{}',
  '{}garbage',
  'null',
  '[]',
  '"str"',
  '{"token":"a"}{"token":"b"}',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '\u0000',
];

function bodyArbitrary(op: Operation, hints: Hints): fc.Arbitrary<Body | null> {
  const schema: JsonSchema = op.body?.schema ?? { type: 'object' };
  const contentType = fc.oneof(
    { weight: 10, arbitrary: fc.constant<string | null>('application/json') },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, ...CONTENT_TYPES) },
  );
  const valid = fc.record({
    kind: fc.constant('json' as const),
    value: validValue(schema, '', hints, true),
    contentType: fc.constant('application/json'),
  });
  const json = fc.record({ kind: fc.constant('json' as const), value: fuzzValue(schema, '', hints), contentType });
  const mutated = fc.record({
    kind: fc.constant('json' as const),
    value: mutatedValue(schema, '', hints),
    contentType: fc.constant('application/json'),
  });
  const hostile = fc.record({ kind: fc.constant('json' as const), value: hostileValue(schema), contentType });
  const text = fc.record({
    kind: fc.constant('text' as const),
    value: fc.oneof(fc.constantFrom<Text>(...BROKEN_JSON), hugeText(), fc.constant<Text>(new Repeat('a', 1_100_000, '{"message":"', '"}'))),
    contentType,
  });
  // A body where none is expected: small ones (a large unread body makes the server close the connection under its answer, which is TCP, not the app).
  const stray = fc.record({
    kind: fc.constant('text' as const),
    value: fc.constantFrom<Text>('{"a":1}', 'x', '[]', '\u0000'),
    contentType,
  });
  if (!op.body) return fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: stray });
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 5, arbitrary: mutated },
    { weight: 5, arbitrary: json },
    { weight: 3, arbitrary: hostile },
    { weight: 2, arbitrary: text },
    { weight: op.body.required ? 1 : 2, arbitrary: fc.constant(null) },
  );
}

function headersArbitrary(op: Operation, hints: Hints): fc.Arbitrary<Array<[string, Text]>> {
  const declared = op.parameters
    .filter((p) => p.in === 'header')
    .map((p) =>
      fc.option(
        fuzzValue(p.schema, p.name, hints).map((v): [string, Text] => [p.name, textLike(v)]),
        { freq: 2 },
      ),
    );
  const accept = fc.option(
    fc
      .oneof(
        fc.constantFrom<Text>(
          'application/json',
          'text/event-stream',
          '*/*',
          'text/html',
          'application/xml',
          'application/json;q=0, text/event-stream;q=0',
          'text/*',
        ),
        hostileText(),
      )
      .map((v): [string, Text] => ['accept', v]),
    { freq: 3 },
  );
  const requestId = fc.option(
    fc
      .oneof(fc.constantFrom<Text>('abc-123', 'x'.repeat(128), 'x'.repeat(129)), hostileText())
      .map((v): [string, Text] => ['x-request-id', v]),
    { freq: 6 },
  );
  const other = fc.option(
    fc.constantFrom<[string, Text]>(
      ['x-forwarded-for', '127.0.0.1, 10.0.0.1'],
      ['x-forwarded-proto', 'javascript'],
      ['content-encoding', 'gzip'],
      ['origin', 'https://evil.example'],
      ['cookie', 'session=x; __proto__=y'],
      ['if-none-match', '*'],
      ['range', 'bytes=0-1,2-3'],
      ['expect', '100-continue'],
    ),
    { freq: 8 },
  );
  return fc
    .tuple(fc.tuple(...declared), accept, requestId, other)
    .map(([d, ...rest]) => [...d, ...rest].filter((h): h is [string, Text] => h !== null));
}

/** A header value from any generated value (headers are text). */
function textLike(v: Json): Text {
  if (typeof v === 'string' || v instanceof Repeat || v instanceof SecondsAgo) return v;
  if (v instanceof RawJson) return v.text();
  return toJsonText(v);
}

const OTHER_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE'];

export function caseArbitrary(op: Operation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const hints = valueHints(ctx.fixtureIds);
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const method = fc.oneof(
    { weight: 30, arbitrary: fc.constant(op.method) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS, op.method === 'GET' ? 'HEAD' : 'GET') },
  );
  return fc.record({
    method,
    auth: authArbitrary(op.scope),
    path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(p, hints)]))) as fc.Arbitrary<Record<string, PathValue>>,
    query: queryArbitrary(op, hints),
    queryMode: fc.constantFrom<FuzzCase['queryMode']>('encoded', 'encoded', 'encoded', 'raw'),
    headers: headersArbitrary(op, hints),
    body: bodyArbitrary(op, hints),
  });
}
