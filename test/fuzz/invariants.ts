/**
 * What every answer to a hostile request must satisfy:
 *   - no 5xx, except the few that name a component the caller cannot fix (LEGITIMATE_5XX);
 *   - every error (status ≥ 400) is JSON of the documented shape `{error, message, statusCode,
 *     requestId}` (or the operation's own declared error schema), with the request id of the
 *     X-Request-Id header, and carries no stack trace or source path;
 *   - a JSON answer parses;
 *   - a `.` or `..` path segment is never accepted (2xx) in an identifier: a pattern-constrained
 *     path parameter or body string (those end up in paths, keys and control-plane URLs);
 *   - no answer carries the content of a file outside what is served (traversal on the static routes).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { RawJson, Repeat, SecondsAgo, type Json } from './hostile-values.js';
import type { Operation } from './operations.js';
import type { JsonSchema } from './schema-arbitraries.js';
import type { Received, SentRequest } from './send.js';

export type Variant = 'embedded' | 'prometheus';
export type ViolationKind = 'server_error' | 'error_shape' | 'stack_trace' | 'bad_json' | 'traversal_accepted';

export interface Violation {
  kind: ViolationKind;
  message: string;
}

/**
 * The 5xx answers that are not faults of this service. Each names, in `reason`, the component that
 * failed or is missing, so the caller (or operator) knows it is not their input and what to do.
 */
export const LEGITIMATE_5XX: ReadonlyArray<{
  status: number;
  reason: string;
  variants: readonly Variant[];
  retryAfter: boolean;
  why: string;
}> = [
  {
    status: 501,
    reason: 'needs_prometheus',
    variants: ['embedded'],
    retryAfter: false,
    why: 'the embedded default has no PromQL engine: arbitrary PromQL and the series/label APIs need PROMETHEUS_URL (documented); the answer says so',
  },
  {
    status: 502,
    reason: 'upstream',
    variants: ['prometheus'],
    retryAfter: false,
    why: 'Prometheus itself failed the request with a status other than 400/422 (its own 5xx): a fault upstream, reported as such',
  },
  {
    status: 503,
    reason: 'unavailable',
    variants: ['prometheus'],
    retryAfter: true,
    why: 'Prometheus unreachable or answering 503 (e.g. its query queue is full): the caller should retry later (Retry-After)',
  },
  {
    status: 504,
    reason: 'timeout',
    variants: ['prometheus'],
    retryAfter: false,
    why: 'Prometheus did not answer within PROMETHEUS_TIMEOUT_SECONDS',
  },
  {
    status: 503,
    reason: 'metrics_unavailable',
    variants: ['prometheus'],
    retryAfter: true,
    why: 'POST /analyze when no metrics at all could be read from Prometheus (upstream outage), with Retry-After',
  },
];

/** V8 stack frames and source locations; an echoed user value cannot look like these by accident. */
const STACK = /\bat (?:async )?[^\s()]*\s?\(?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+|node_modules\//;

export function checkAnswer(sent: SentRequest, res: Received, variant: Variant, sourceRoot: string): Violation[] {
  const out: Violation[] = [];
  const text = res.body.toString('utf8');
  const isJson = String(res.headers['content-type'] ?? '').startsWith('application/json');
  let body: unknown;
  if (isJson && sent.method !== 'HEAD' && res.status !== 204 && res.status !== 304) {
    try {
      body = JSON.parse(text);
    } catch {
      out.push({ kind: 'bad_json', message: `the answer says application/json but does not parse: ${text.slice(0, 200)}` });
    }
  }
  const reason = (body as { reason?: unknown } | undefined)?.reason;

  if (res.status >= 500) {
    const legitimate = LEGITIMATE_5XX.find((l) => l.status === res.status && l.reason === reason && l.variants.includes(variant));
    if (!legitimate) out.push({ kind: 'server_error', message: `${res.status} (reason ${String(reason)}): ${text.slice(0, 300)}` });
    else if (legitimate.retryAfter && !res.headers['retry-after'])
      out.push({ kind: 'server_error', message: `${res.status} ${String(reason)} without Retry-After` });
  }
  if (res.status >= 400 && sent.method !== 'HEAD') out.push(...errorShape(sent.op, res, body, isJson));
  if (res.status >= 400 && (STACK.test(text) || text.includes(sourceRoot))) {
    out.push({ kind: 'stack_trace', message: `the error body shows a stack trace or a source path: ${text.slice(0, 300)}` });
  }
  if (res.status >= 200 && res.status < 300) {
    const accepted = traversalIdentifiers(sent);
    if (accepted.length > 0) out.push({ kind: 'traversal_accepted', message: `${res.status} for ${accepted.join(', ')}` });
  }
  const leaked = LEAK_MARKERS.find((m) => text.includes(m));
  if (leaked)
    out.push({ kind: 'traversal_accepted', message: `the answer holds ${JSON.stringify(leaked)}, content of a file that is not served` });
  return out;
}

function errorShape(op: Operation, res: Received, body: unknown, isJson: boolean): Violation[] {
  const bad = (message: string): Violation[] => [{ kind: 'error_shape', message: `${res.status}: ${message}` }];
  if (!isJson || typeof body !== 'object' || body === null)
    return bad(`not a JSON object (content-type ${String(res.headers['content-type'])}): ${res.body.toString('utf8').slice(0, 200)}`);
  const b = body as Record<string, unknown>;
  // An operation may declare its own shape for a status (POST /auth/validate's 401 is {valid, reason, message}).
  const declared = op.responses[String(res.status)];
  if (declared?.properties && !('statusCode' in declared.properties)) {
    const missing = (declared.required ?? []).filter((k) => !(k in b));
    return missing.length > 0 ? bad(`missing ${missing.join(', ')} of the declared error schema: ${JSON.stringify(b).slice(0, 200)}`) : [];
  }
  const problems: string[] = [];
  if (typeof b.error !== 'string' || b.error === '') problems.push('error');
  if (typeof b.message !== 'string' || b.message === '') problems.push('message');
  if (b.statusCode !== res.status) problems.push(`statusCode (${String(b.statusCode)})`);
  if (typeof b.requestId !== 'string' || b.requestId !== requestIdHeader(res.headers))
    problems.push(`requestId (${String(b.requestId)} vs header ${String(requestIdHeader(res.headers))})`);
  return problems.length > 0
    ? bad(`not {error, message, statusCode, requestId}: ${problems.join(', ')} in ${JSON.stringify(b).slice(0, 200)}`)
    : [];
}

const requestIdHeader = (h: IncomingHttpHeaders) => (Array.isArray(h['x-request-id']) ? h['x-request-id'][0] : h['x-request-id']);

/** Lines of files a traversal would reach: /etc/passwd, the package manifest, a PEM private key (the dev keys). */
const LEAK_MARKERS = ['root:x:0:0:', '"name": "hexabase-aiops"', 'PRIVATE KEY-----'];

const decodeAll = (s: string): string => {
  let prev = s;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(prev);
    } catch {
      return prev;
    }
    if (next === prev) return next;
    prev = next;
  }
  return prev;
};

const hasDotSegment = (s: string) =>
  decodeAll(s)
    .split(/[/\\]/)
    .some((seg) => seg === '.' || seg === '..');

/** Identifier values of the request holding a `.`/`..` segment: path parameters and body strings whose schema has a pattern. */
export function traversalIdentifiers(sent: SentRequest): string[] {
  const found: string[] = [];
  for (const p of sent.op.parameters) {
    const value = sent.pathParams[p.name];
    if (p.in === 'path' && p.schema.pattern && value !== undefined && hasDotSegment(value))
      found.push(`path ${p.name}=${JSON.stringify(value.slice(0, 60))}`);
  }
  const schema = sent.op.body?.schema;
  if (schema && sent.bodyValue !== null) walk(sent.bodyValue, schema, 'body', found);
  return found;
}

function walk(v: Json, s: JsonSchema, at: string, found: string[]): void {
  for (const alt of s.anyOf ?? s.oneOf ?? []) walk(v, alt, at, found);
  if (typeof v === 'string') {
    if (s.pattern && hasDotSegment(v)) found.push(`${at}=${JSON.stringify(v.slice(0, 60))}`);
    return;
  }
  if (v === null || typeof v !== 'object' || v instanceof RawJson || v instanceof Repeat || v instanceof SecondsAgo) return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((x, i) => walk(x, s.items!, `${at}[${i}]`, found));
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const child = s.properties?.[k];
    if (child) walk(x, child, `${at}.${k}`, found);
  }
}
