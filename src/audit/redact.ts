/**
 * Secret redaction for audit details (and anything else persisted): values under secret-looking
 * keys are replaced, and secret-looking substrings (JWTs, bearer credentials, API keys, PEM private
 * keys, passwords in URLs) are masked wherever they appear. Applied before an event reaches the
 * spool, so no secret is ever written to disk, shipped to ClickHouse or logged by the audit code.
 */
export const REDACTED = '[redacted]';

/** Keys whose values are always secrets, whatever they look like. */
const SECRET_KEY = /(^|[_-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|auth|cookie|set[_-]cookie|credentials?|private[_-]?key|client[_-]?secret|access[_-]?key|session[_-]?key|signature|bearer|jwt)$/i;
const SECRET_KEY_INFIX = /(password|passwd|secret|token|api[_-]?key|apikey|credential|private[_-]?key|authorization|cookie)/i;

const PATTERNS: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  // PEM private keys (any kind)
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // JWT / JWS compact serialisation
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Authorization schemes with a credential
  [/\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  // Well-known API key shapes: OpenAI/Anthropic (sk-…), Langfuse (pk-lf-/sk-lf-), GitHub, Slack, AWS access key ids
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g, REDACTED],
  // user:password@ in URLs
  [/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s/]+@/gi, (_m, head) => `${head}:${REDACTED}@`],
  // command-line flags: --password value, --token=value
  [/(--?(?:password|passwd|pass|token|secret|api[_-]?key|access[_-]?key|client[_-]?secret))([=\s]+)([^\s"'&,;]+)/gi,
    (_m, flag, sep) => `${flag}${sep}${REDACTED}`],
  // key=value / "key": "value" pairs inside free text
  [/\b(password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)(["']?\s*[:=]\s*["']?)([^\s"'&,;]{1,})/gi,
    (_m, k, sep) => `${k}${sep}${REDACTED}`],
];

/** Masks secret-looking substrings of a free-text value. */
export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  }
  return out;
}

/** Keys that name *metadata about* a secret, never the secret itself (token_type, input_tokens, key_id). */
const NOT_SECRET_SUFFIX = /(_type|_count|_tokens|_name|_id|_hash|_scope|_at|_expires|_ttl)$/i;

export function isSecretKey(key: string): boolean {
  if (NOT_SECRET_SUFFIX.test(key)) return false;
  return SECRET_KEY.test(key) || SECRET_KEY_INFIX.test(key);
}

const MAX_DEPTH = 8;
const MAX_KEYS = 200;
const MAX_STRING = 8192;

/**
 * Returns a JSON-safe, redacted copy: secret keys masked, strings scanned, depth/size bounded,
 * non-JSON values (functions, symbols, bigint) turned into strings or dropped.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return redactString(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[truncated]` : value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => redact(v, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (n++ >= MAX_KEYS) break;
    if (isSecretKey(key) && v !== null && v !== undefined && v !== '' && typeof v !== 'boolean' && typeof v !== 'number') {
      out[key] = REDACTED;
      continue;
    }
    const r = redact(v, depth + 1);
    if (r !== undefined) out[key] = r;
  }
  return out;
}
