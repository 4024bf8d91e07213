/**
 * Turns a fuzz case into bytes and sends it to the app listening on 127.0.0.1 (loopback only), over
 * a real HTTP connection: Node's own parser sees exactly what a hostile client could send (raw `..`
 * and `%2e%2e` in paths, repeated headers, oversized URLs), which an in-process inject would
 * normalise away. Tokens are minted here with the test's key, so a case stays plain data.
 */
import { createHmac, createSign } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { contractClaims, contractToken, unsigned, type RsaKey } from '../helpers/keys.js';
import type { AuthCase, Body, FuzzCase, PathValue } from './cases.js';
import { RawJson, Repeat, SecondsAgo, textOf, toJsonText, type Json, type Text } from './hostile-values.js';
import type { Operation } from './operations.js';

/** Longer than any legitimate answer (POST /analyze answers 202 after ANALYZE_SYNC_WAIT_SECONDS = 20 s). */
export const REQUEST_TIMEOUT_MS = 60_000;

export interface Target {
  port: number;
  workspaceId: string;
  otherWorkspaceId: string;
  key: RsaKey;
  /** A key the service does not trust. */
  wrongKey: RsaKey;
  tokenCache: Map<string, { token: string; mintedAt: number }>;
}

/** A case as sent, with the decoded pieces the checks look at. */
export interface SentRequest {
  op: Operation;
  method: string;
  /** Path and query, as on the wire. */
  url: string;
  pathParams: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  /** The generated body value (before serialisation), for schema walks. */
  bodyValue: Json | null;
  /** The claims of a token signed around hostile claims, as the service will parse them. */
  claims: Record<string, unknown> | null;
}

export interface Received {
  /** 0: the connection was reset before an answer could be read (see `send`). */
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Percent-encodes every byte of the UTF-8 form outside the unreserved set (lone surrogates become U+FFFD, as any client would send). */
export function encodeStrict(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd')).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Keeps every character HTTP lets a client put in a request line (0x21–0xFF) and encodes the rest. */
export function encodeRaw(s: string): string {
  return s.replace(/[^\u0021-\u00ff]+/gu, (run) => encodeStrict(run));
}

const scalarText = (v: Json): string => {
  if (typeof v === 'string') return v;
  if (v instanceof Repeat || v instanceof SecondsAgo) return v.text();
  if (v instanceof RawJson) return v.text();
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return String(v);
  return toJsonText(v);
};

/** Query entries as text: an array repeats the name, an object becomes name[key], null a bare name. */
function queryPairs(query: Array<[Text, Json]>): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (const [key, v] of query) {
    const name = textOf(key);
    if (Array.isArray(v)) for (const item of v) out.push([name, scalarText(item)]);
    else if (v !== null && typeof v === 'object' && !(v instanceof Repeat) && !(v instanceof SecondsAgo) && !(v instanceof RawJson)) {
      for (const [k, x] of Object.entries(v)) out.push([`${name}[${k}]`, scalarText(x)]);
    } else out.push([name, v === null ? null : scalarText(v)]);
  }
  return out;
}

function headerValue(v: string): string {
  try {
    http.validateHeaderValue('x', v);
    return v;
  } catch {
    return encodeStrict(v); // what a client library would have to do to send it at all
  }
}

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function signRs(headerText: string, payloadText: string, privatePem: string, alg: unknown): string {
  const input = `${b64url(headerText)}.${b64url(payloadText)}`;
  const hash = alg === 'RS512' ? 'RSA-SHA512' : 'RSA-SHA256';
  return `${input}.${createSign(hash).update(input).sign(privatePem).toString('base64url')}`;
}

/** Tokens live 50 minutes (inside JWT_MAX_AGE_SECONDS, 1 h); a cached one is replaced after 30, so long runs keep valid tokens. */
const TOKEN_TTL_SECONDS = 3000;
const TOKEN_REUSE_MS = 30 * 60_000;

async function token(target: Target, permissions: readonly string[], workspaceId: string, key = target.key): Promise<string> {
  const cacheKey = `${key.kid}|${workspaceId}|${permissions.join(',')}`;
  const cached = target.tokenCache.get(cacheKey);
  if (cached && Date.now() - cached.mintedAt < TOKEN_REUSE_MS) return cached.token;
  const fresh = await contractToken(key, { workspaceId, permissions: [...permissions], ttlSeconds: TOKEN_TTL_SECONDS });
  target.tokenCache.set(cacheKey, { token: fresh, mintedAt: Date.now() });
  return fresh;
}

interface AuthOut {
  header?: string | string[];
  claims: Record<string, unknown> | null;
}

async function authHeader(target: Target, auth: AuthCase): Promise<AuthOut> {
  const own = target.workspaceId;
  switch (auth.kind) {
    case 'none':
      return { claims: null };
    case 'token':
      return {
        header: `Bearer ${await token(target, auth.permissions, auth.workspace === 'own' ? own : target.otherWorkspaceId)}`,
        claims: null,
      };
    case 'header':
      return { header: headerValue(textOf(auth.value)), claims: null };
    case 'claims': {
      const claims: Record<string, Json> = {
        ...(contractClaims({ workspaceId: own, permissions: ['aiops:admin'] }) as Record<string, Json>),
      };
      for (const [k, v] of Object.entries(auth.set)) claims[k] = v instanceof SecondsAgo ? Math.floor(Date.now() / 1000) - v.seconds : v;
      for (const k of auth.drop) delete claims[k];
      const payloadText = toJsonText(claims);
      const signed = signRs(toJsonText(auth.header), payloadText, target.key.privatePem, auth.header.alg);
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(payloadText) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
      return { header: `Bearer ${signed}`, claims: parsed };
    }
    case 'forged': {
      const admin = await token(target, ['aiops:admin'], own);
      const claims = contractClaims({ workspaceId: own, permissions: ['aiops:admin'] });
      switch (auth.how) {
        case 'alg-none':
          return { header: `Bearer ${unsigned(claims)}`, claims: null };
        case 'hs256-with-public-key': {
          const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
          return {
            header: `Bearer ${input}.${createHmac('sha256', target.key.publicPem).update(input).digest('base64url')}`,
            claims: null,
          };
        }
        case 'wrong-key':
          return { header: `Bearer ${await token(target, ['aiops:admin'], own, target.wrongKey)}`, claims: null };
        case 'truncated-signature':
          return { header: `Bearer ${admin.slice(0, -4)}`, claims: null };
        case 'two-tokens':
          return { header: `Bearer ${admin} ${admin}`, claims: null };
        case 'two-headers':
          return { header: [`Bearer ${admin}`, `Bearer ${admin}`], claims: null };
        case 'lower-case-scheme':
          return { header: `bearer ${admin}`, claims: null };
        case 'basic':
          return { header: 'Basic dXNlcjpwYXNz', claims: null };
        case 'huge':
          return { header: `Bearer ${'a'.repeat(9000)}`, claims: null };
      }
    }
  }
}

function pathOf(op: Operation, params: Record<string, PathValue>, own: string): { path: string; values: Record<string, string> } {
  const values: Record<string, string> = {};
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const p = params[name];
    const text = p ? scalarText(p.value).replace('\u0000own', own) : '';
    values[name] = text;
    return p?.mode === 'raw' ? encodeRaw(text) : encodeStrict(text);
  });
  return { path, values };
}

function bodyBytes(body: Body): Buffer {
  return Buffer.from(body.kind === 'json' ? toJsonText(body.value) : textOf(body.value as Text), 'utf8');
}

export async function materialize(target: Target, op: Operation, c: FuzzCase): Promise<SentRequest> {
  const { path, values } = pathOf(op, c.path, target.workspaceId);
  const pairs = queryPairs(c.query);
  const enc = c.queryMode === 'raw' ? encodeRaw : encodeStrict;
  const search = pairs.map(([k, v]) => (v === null ? enc(k) : `${enc(k)}=${enc(v)}`)).join('&');
  const headers: Record<string, string | string[]> = {};
  for (const [name, v] of c.headers) headers[name] = headerValue(textOf(v));
  const auth = await authHeader(target, c.auth);
  if (auth.header !== undefined) headers.authorization = auth.header;
  const body = c.body ? bodyBytes(c.body) : null;
  if (c.body?.contentType !== null && c.body?.contentType !== undefined) headers['content-type'] = c.body.contentType;
  return {
    op,
    method: c.method,
    url: search ? `${path}?${search}` : path,
    pathParams: values,
    query: pairs.map(([k, v]) => [k, v ?? '']),
    headers,
    body,
    bodyValue: c.body?.kind === 'json' ? c.body.value : null,
    claims: auth.claims,
  };
}

/** Bytes of the request line and headers (Node's server refuses more than http.maxHeaderSize with 431 and closes). */
export const headBytes = (r: SentRequest) =>
  Buffer.byteLength(`${r.method} ${r.url} HTTP/1.1\r\n`) +
  Object.entries(r.headers).reduce((n, [k, v]) => n + [v].flat().reduce((m, x) => m + Buffer.byteLength(`${k}: ${x}\r\n`), 0), 0);

/**
 * One request on a fresh connection (a connection the server closed after refusing a request
 * cannot be reused). An oversized head is refused by Node's parser, which answers 431 and closes
 * the connection, possibly before the answer can be read: that counts as the refusal (status 0).
 */
export function send(target: Target, r: SentRequest): Promise<Received> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({
      host: '127.0.0.1',
      port: target.port,
      method: r.method,
      path: r.url,
      agent: false,
      headers: { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) },
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }),
      );
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // Over the limit the parser never saw the request line: its 431 cannot know the request was a HEAD, so a client
      // may also fail to parse that answer (a body after a HEAD) — the refusal either way.
      if (headBytes(r) > http.maxHeaderSize) resolve({ status: 0, headers: {}, body: Buffer.alloc(0), ms: performance.now() - started });
      else reject(err);
    });
    req.end(r.body ?? undefined);
  });
}

/** A one-line description of a sent request for failure messages (long parts shortened). */
export function describeRequest(r: SentRequest): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${clip(String(v), 80)}`)
    .join(' | ');
  const body = r.body ? clip(r.body.toString('utf8'), 300) : '(none)';
  return `${r.method} ${clip(r.url, 400)}\n    headers: ${headers || '(none)'}\n    body: ${body}`;
}
