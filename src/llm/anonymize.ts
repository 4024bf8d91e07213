/**
 * Anonymisation of what a prompt carries about a tenant, for model providers outside the cluster:
 * the workspace's identifying strings (namespaces, pods, workloads, containers, nodes, label values,
 * IPs, hostnames, e-mail addresses, user and workspace ids) are replaced by stable per-call tokens
 * that say what they stand for (`anon-pod-1`), and the model's answer (its text and its tool calls'
 * arguments) gets the real strings back, so the tools still act on real names. Pure: no I/O.
 *
 * What counts as identifying is found by mechanism, not by list of examples: the caller's identity;
 * values under identifying keys wherever the messages hold JSON (`"pod": "api-7d9f…"`) or label
 * selectors (`namespace="shop"`, `namespace=shop`); `kind/name` references; addresses by pattern;
 * and an optional vocabulary of the workspace's known names (its metrics' label values), which also
 * catches a name the user typed before any tool answered.
 */

/** Keys whose string values name something of the tenant. */
const IDENTIFYING_KEYS: Record<string, string> = {
  namespace: 'namespace',
  pod: 'pod',
  pod_name: 'pod',
  container: 'container',
  workload: 'workload',
  deployment: 'workload',
  statefulset: 'workload',
  daemonset: 'workload',
  replicaset: 'workload',
  job: 'workload',
  job_name: 'workload',
  cronjob: 'workload',
  service: 'service',
  node: 'node',
  instance: 'host',
  host: 'host',
  hostname: 'host',
  persistentvolumeclaim: 'volume',
  pvc: 'volume',
  target_resource: 'resource',
  user_id: 'user',
  sub: 'user',
  workspace_id: 'workspace',
  organization_id: 'org',
  org_id: 'org',
  source_ip: 'ip',
};

const KINDS = 'deployment|statefulset|daemonset|replicaset|pod|service|job|cronjob|node|persistentvolumeclaim|pvc|configmap|secret|ingress';
const KIND_NAME = new RegExp(`\\b(${KINDS})/([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)`, 'gi');
const JSON_PAIR = /"([A-Za-z_][A-Za-z0-9_]{0,40})"\s*:\s*"((?:[^"\\]|\\.){1,253})"/g;
const SELECTOR_PAIR =
  /\b([A-Za-z_][A-Za-z0-9_]{0,40})\s*(?:=~|!=|!~|=)\s*(?:"((?:[^"\\]|\\.){1,253})"|([A-Za-z0-9][A-Za-z0-9._-]{0,252}))/g;
// IPV4 and IPV6: bounded repetitions only ({3}, {2,7}, {1,4}); checked against 80,000-character hostile
// runs in test/unit/llm/anonymize.test.ts.
// eslint-disable-next-line security/detect-unsafe-regex
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
// eslint-disable-next-line security/detect-unsafe-regex
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi;
const EMAIL = /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b/g;
/**
 * Hostnames: runs of name characters (found in one linear pass), each checked whole: dotted labels
 * whose last one starts with a letter (a version number like 1.2.3 is not a host). Scanning the text
 * with the hostname pattern itself would backtrack quadratically on a long run like `1.1.1.…`.
 */
const NAME_RUN = /[A-Za-z0-9][A-Za-z0-9.-]*/g;
// Anchored, and only ever run on one name run of at most MAX_LENGTH characters.
// eslint-disable-next-line security/detect-unsafe-regex
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/**
 * Whether the character at `i` makes a match part of a longer name (`shop` in `shopping` or `shop-api`):
 * a letter, digit, `_` or `-`, or a dot with a name character beyond it (`shop.internal`; a sentence's
 * final dot is not).
 */
function continuesName(text: string, i: number, step: 1 | -1): boolean {
  const c = text[i] ?? '';
  if (/[A-Za-z0-9_-]/.test(c)) return true;
  return c === '.' && /[A-Za-z0-9_-]/.test(text[i + step] ?? '');
}

/** Values too generic to hide (they identify no one) or too short to replace safely inside prose. */
const NOT_IDENTIFYING = new Set(['', 'true', 'false', 'null', 'none', 'unknown', 'default', 'kube-system', 'all', '*']);
const MIN_LENGTH = 2;
/** Longer than a DNS name or a Kubernetes name is not a name (and would bloat the pattern). */
const MAX_LENGTH = 253;
/** Bound on what one call hides: the pattern of learned strings stays small. */
const MAX_NAMES = 5000;

export interface AnonymizerSeed {
  /** The caller: sub, workspace and organisations are identifying. */
  identity: { sub: string; workspaceId: string; orgIds: readonly string[] };
  /** Names the workspace is known to have (its metrics' namespaces, pods, containers …). */
  knownNames?: readonly { kind: string; value: string }[];
}

export class Anonymizer {
  private readonly toToken = new Map<string, string>();
  private readonly toReal = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private pattern: RegExp | undefined;
  /** Text seen so far: a token must not already occur in it. */
  private corpus = '';

  constructor(seed: AnonymizerSeed) {
    this.add('user', seed.identity.sub);
    this.add('workspace', seed.identity.workspaceId);
    for (const org of seed.identity.orgIds) this.add('org', org);
    for (const { kind, value } of seed.knownNames ?? []) this.add(kind, value);
  }

  /** Learns the identifying strings of `text` (call for every text before masking any). */
  learn(text: string): void {
    this.corpus += `\n${text}`;
    for (const m of text.matchAll(JSON_PAIR)) this.addKeyed(m[1]!, unescapeJson(m[2]!));
    for (const m of text.matchAll(SELECTOR_PAIR)) this.addKeyed(m[1]!, m[2] !== undefined ? unescapeJson(m[2]) : m[3]!);
    for (const m of text.matchAll(KIND_NAME)) this.add(m[1]!.toLowerCase() === 'node' ? 'node' : 'resource', m[2]!);
    for (const m of text.matchAll(IPV4)) this.add('ip', m[0]);
    for (const m of text.matchAll(IPV6)) this.add('ip', m[0]);
    for (const m of text.matchAll(EMAIL)) this.add('email', m[0]);
    for (const m of text.matchAll(NAME_RUN)) {
      const run = m[0].replace(/\.+$/, '');
      if (run.length <= MAX_LENGTH && run.includes('.') && HOSTNAME.test(run)) this.add('host', run);
    }
  }

  /** `text` with every learned identifying string replaced by its token. */
  mask(text: string): string {
    const pattern = this.compiled();
    if (!pattern) return text;
    return text.replace(pattern, (match, offset: number, whole: string) =>
      continuesName(whole, offset - 1, -1) || continuesName(whole, offset + match.length, 1) ? match : (this.toToken.get(match) ?? match),
    );
  }

  /** `text` with every token turned back into the real string. */
  unmask(text: string): string {
    if (this.toReal.size === 0) return text;
    return text.replace(/anon-[a-z]+-\d+/g, (token) => this.toReal.get(token) ?? token);
  }

  /** A JSON-like value with every string unmasked (tool-call arguments). */
  unmaskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.unmask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.unmaskDeep(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.unmaskDeep(v)])) as T;
    return value;
  }

  /** A JSON-like value with every string masked (tool-call arguments the model made earlier). */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.maskDeep(v)])) as T;
    return value;
  }

  /** How many distinct strings are hidden (for tests and the trace). */
  get size(): number {
    return this.toToken.size;
  }

  private addKeyed(key: string, value: string): void {
    const kind = IDENTIFYING_KEYS[key.toLowerCase()];
    if (!kind) return;
    if (kind === 'resource') {
      // kind/name: the name is what identifies (the kind is vocabulary).
      const slash = value.indexOf('/');
      if (slash > 0) return this.add('resource', value.slice(slash + 1));
    }
    this.add(kind, value);
  }

  private add(kind: string, raw: string): void {
    const value = raw.trim();
    if (
      value.length < MIN_LENGTH ||
      value.length > MAX_LENGTH ||
      this.toToken.size >= MAX_NAMES ||
      NOT_IDENTIFYING.has(value.toLowerCase()) ||
      this.toToken.has(value) ||
      /^anon-[a-z]+-\d+$/.test(value)
    )
      return;
    let n = this.counters.get(kind) ?? 0;
    let token: string;
    do token = `anon-${kind}-${++n}`;
    while (this.toReal.has(token) || this.corpus.includes(token));
    this.counters.set(kind, n);
    this.toToken.set(value, token);
    this.toReal.set(token, value);
    this.pattern = undefined;
  }

  /** One alternation of every learned string, longest first (a pod name before its workload's). */
  private compiled(): RegExp | undefined {
    if (this.toToken.size === 0) return undefined;
    // Every alternative is an escaped literal (escapeRegExp): no pattern syntax reaches the engine.
    // eslint-disable-next-line security/detect-non-literal-regexp
    this.pattern ??= new RegExp(
      [...this.toToken.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return this.pattern;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unescapeJson(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}

/**
 * Whether a provider at this URL runs outside the cluster: anything but loopback, private (RFC 1918,
 * unique-local IPv6), link-local, cluster-local names (`.svc`, `.cluster.local`, `.local`,
 * `.internal`) and single-label hosts (`ollama`, a Kubernetes service in the same namespace).
 */
export function isExternalEndpoint(url: string | undefined): boolean {
  if (!url) return true; // the provider's public default (api.openai.com)
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return true;
  }
  if (host === 'localhost' || !host.includes('.') || /\.(svc|cluster\.local|local|internal)$/.test(host)) {
    return host.includes(':') ? !isPrivateIpv6(host) : false;
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return !(a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254));
  }
  return true;
}

function isPrivateIpv6(host: string): boolean {
  return host === '::1' || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe[89ab][0-9a-f]:/.test(host);
}
