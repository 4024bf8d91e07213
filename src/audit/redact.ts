/**
 * Secret redaction for audit details and logs (and anything else persisted): values under secret-looking
 * keys are replaced, and secret-looking substrings (JWTs, bearer credentials, API keys, PEM private
 * keys, passwords in URLs) are masked wherever they appear — also glued to other text (`?x=aeyJ…`) and
 * behind percent-encoding (`Bearer%20eyJ…`, `%65%79%4A…`, double-encoded). Applied before an event
 * reaches the spool, so no secret is ever written to disk, shipped to ClickHouse or logged by the audit code.
 */
export const REDACTED = '[redacted]';

/** Keys whose values are always secrets, whatever they look like. */
const SECRET_KEY =
  /(^|[_-])(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|authorization|auth|cookie|set[_-]cookie|credentials?|private[_-]?key|client[_-]?secret|access[_-]?key|session[_-]?key|signature|bearer|jwt)$/i;
const SECRET_KEY_INFIX = /(password|passwd|secret|token|api[_-]?key|apikey|credential|private[_-]?key|authorization|cookie)/i;

/**
 * A JWT, percent-encoded or not, whole or in part, at any depth, is a run of these characters (escapes
 * are `%` and hex digits, and `%2E` is an encoded dot).
 */
const JWT_RUN = /[A-Za-z0-9_%.-]{12,}/g;
const DOT_AFTER = /\.|%(?:25)*2e/i;
/**
 * Masks a run from its first `eyJ` (a base64url JSON object: a JOSE header or a JWT payload) to its end,
 * when a dot follows. No word boundary: a token glued to a letter or to `%22` must not escape; taking the
 * rest of the run means a JWT-looking prefix cannot shield a token, and scanning runs keeps it linear.
 */
function maskJwtRun(run: string): string {
  const start = run.indexOf('eyJ');
  if (start < 0 || run.slice(start + 3).search(DOT_AFTER) < 0) return run;
  return `${run.slice(0, start)}${REDACTED}`;
}
/** Whitespace, `+` (a space in a query string) or their escapes. */
const SPACE = '(?:\\s|\\+|%(?:25)*(?:20|09|2[Bb]))';

const PATTERNS: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  // PEM private keys (any kind)
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // JWS/JWE compact serialisation
  [JWT_RUN, maskJwtRun],
  // Authorization schemes with a credential (token68, escapes included so an encoded one is taken whole)
  [new RegExp(`Bearer${SPACE}+[A-Za-z0-9._~+/=%-]{8,}`, 'gi'), `Bearer ${REDACTED}`],
  [new RegExp(`\\b(Basic|Token|Digest)${SPACE}+[A-Za-z0-9._~+/=%-]{8,}`, 'gi'), (_m, scheme) => `${scheme} ${REDACTED}`],
  // Well-known API key shapes: OpenAI/Anthropic (sk-…), Langfuse (pk-lf-/sk-lf-), GitHub, Slack, AWS access key ids
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b/g, REDACTED],
  // user:password@ in URLs
  [/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@\s/]+@/gi, (_m, head) => `${head}:${REDACTED}@`],
  // command-line flags: --password value, --token=value
  [
    /(--?(?:password|passwd|pass|token|secret|api[_-]?key|access[_-]?key|client[_-]?secret))([=\s]+)([^\s"'&,;]+)/gi,
    (_m, flag, sep) => `${flag}${sep}${REDACTED}`,
  ],
  // key=value / "key": "value" pairs inside free text
  [
    /\b(password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)(["']?\s*[:=]\s*["']?)([^\s"'&,;]{1,})/gi,
    (_m, k, sep) => `${k}${sep}${REDACTED}`,
  ],
];

function maskPatterns(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  }
  return out;
}

/** Only ASCII escapes: every secret shape above is ASCII, and non-ASCII bytes stay readable as escapes. */
const ASCII_ESCAPE = /%([0-7][0-9A-Fa-f])/g;
/** Enough for any realistic nesting (`%65` → `%2565` → `%252565`, or escapes escaped char by char). */
const MAX_DECODE_ROUNDS = 8;

function decodeAsciiEscapes(text: string): string {
  let out = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = out.replace(ASCII_ESCAPE, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * Masks secret-looking substrings of a free-text value, as written and as percent-decoded: a secret
 * hidden behind encoding (`Bearer%20eyJ…`, `%65%79%4A…`, double-encoded) is found in the decoded text,
 * which is then what is returned, masked. Text with nothing hidden keeps its own encoding.
 */
export function redactString(text: string): string {
  if (text.length <= CLEAN_MAX_LENGTH && clean.has(text)) return text;
  const result = scanString(text);
  if (result === text && text.length <= CLEAN_MAX_LENGTH) {
    if (clean.size >= CLEAN_MAX_ENTRIES) clean.clear();
    clean.add(ownCopy(text));
  }
  return result;
}

/**
 * Short strings already found to hold no secret. Every guarded request's audit event carries the same
 * handful of values (route, scope, reason, method, path, user, workspace), and scanning them with the
 * patterns above was a fifth of what recording the event cost. Redaction is a pure function of the
 * text, so a remembered verdict is exact; only clean strings are kept, so the set never holds a
 * secret. Bounded: at most CLEAN_MAX_ENTRIES × CLEAN_MAX_LENGTH characters (about 2 MiB; each kept as
 * its own copy, see ownCopy), emptied when full.
 */
const clean = new Set<string>();
const CLEAN_MAX_ENTRIES = 4096;
const CLEAN_MAX_LENGTH = 256;

/**
 * A string of its own: a piece cut from a longer string (a path split from a 15 KB URL, the first line
 * of an upstream error) keeps the whole original alive in V8, so the memo keeps copies. Once per new string.
 */
const ownCopy = (text: string): string => Buffer.from(text, 'utf16le').toString('utf16le');

function scanString(text: string): string {
  const masked = maskPatterns(text);
  const decoded = decodeAsciiEscapes(masked);
  if (decoded === masked) return masked;
  const maskedDecoded = maskPatterns(decoded);
  return maskedDecoded === decoded ? masked : maskedDecoded;
}

/** Keys that name *metadata about* a secret, never the secret itself (token_type, input_tokens, key_id). */
const NOT_SECRET_SUFFIX = /(_type|_count|_tokens|_name|_id|_hash|_scope|_at|_expires|_ttl)$/i;

export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = !NOT_SECRET_SUFFIX.test(key) && (SECRET_KEY.test(key) || SECRET_KEY_INFIX.test(key));
    if (key.length <= CLEAN_MAX_LENGTH) {
      if (keyVerdicts.size >= CLEAN_MAX_ENTRIES) keyVerdicts.clear();
      keyVerdicts.set(ownCopy(key), verdict);
    }
  }
  return verdict;
}

/** Keys recur even more than values (the same few dozen detail fields); same bounds as `clean`. */
const keyVerdicts = new Map<string, boolean>();

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
