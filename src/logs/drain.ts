/**
 * Log template mining in the manner of Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing
 * Approach with Fixed Depth Tree", ICWS 2017), written here from the paper: a line is masked (numbers,
 * IPs, UUIDs, hex ids, quoted strings become placeholders), split into tokens, routed by its token count
 * and its first tokens down a tree of fixed depth to a small list of clusters, and joins the most
 * similar cluster (share of equal tokens at equal positions ≥ `similarity`) or starts a new one; tokens
 * where a cluster's lines differ become `<*>`. Deterministic and bounded: line length, tokens per line,
 * children per node and clusters in all are capped (a line that would need one more cluster joins the
 * catch-all `<overflow>` template instead).
 */

export interface DrainOptions {
  /** Tokens used to route a line below the length level (the paper's depth − 3, as Drain3 counts: its default depth 4 routes by one token, so 'user alice …' and 'user bob …' meet in one leaf). Default 1. */
  prefixTokens?: number;
  /** Share of equal tokens for a line to join a cluster. Default 0.5. */
  similarity?: number;
  /** Children per tree node. Default 64. */
  maxChildren?: number;
  /** Clusters in all. Default 500. */
  maxClusters?: number;
  /** Tokens per line kept (the rest is cut). Default 48. */
  maxTokens?: number;
  /** Characters per line read. Default 1000. */
  maxLineChars?: number;
}

export const WILDCARD = '<*>';
const OVERFLOW = '<overflow>';

/** Masks: the variable parts every log has, replaced before tokenising (order matters: longest first). */
const HEXLIKE = /\b0x[0-9a-f]+\b|\b[0-9a-f]{8,}\b/gi;
// The rule's star-height heuristic flags the optional groups below; none nests a quantifier inside
// another, and every line is cut to maxLineChars before masking, so matching stays linear.
const MASKS: readonly (readonly [RegExp, string | ((m: string) => string)])[] = [
  [/"[^"]{0,500}"|'[^']{0,500}'/g, '<STR>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  // eslint-disable-next-line security/detect-unsafe-regex
  [/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{1,5})?\b/g, '<IP>'],
  // A hex id has digits and letters (a plain word like "deadbeef" or a number stays what it is).
  [HEXLIKE, (m) => (m.startsWith('0x') || (/\d/.test(m) && /[a-f]/i.test(m)) ? '<HEX>' : m)],
  // eslint-disable-next-line security/detect-unsafe-regex
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, '<TIME>'],
  // eslint-disable-next-line security/detect-unsafe-regex
  [/(?<![A-Za-z])[-+]?\d+(?:\.\d+)?(?:ms|s|us|µs|ns|m|h|kb|mb|gb|kib|mib|gib|%)?(?![A-Za-z])/gi, '<NUM>'],
];

export function maskLine(line: string): string {
  let out = line;
  for (const [re, token] of MASKS) out = typeof token === 'string' ? out.replace(re, token) : out.replace(re, token);
  return out;
}

export interface Cluster {
  id: number;
  tokens: string[];
  size: number;
}

interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

const node = (): Node => ({ children: new Map(), clusters: [] });

export class Drain {
  private readonly root = node();
  private readonly all: Cluster[] = [];
  private overflow: Cluster | undefined;
  private readonly o: Required<DrainOptions>;

  constructor(options: DrainOptions = {}) {
    this.o = {
      prefixTokens: options.prefixTokens ?? 1,
      similarity: options.similarity ?? 0.5,
      maxChildren: options.maxChildren ?? 64,
      maxClusters: options.maxClusters ?? 500,
      maxTokens: options.maxTokens ?? 48,
      maxLineChars: options.maxLineChars ?? 1000,
    };
  }

  /** The tokens of a line as the tree sees them (masked, cut). */
  tokens(line: string): string[] {
    return maskLine(line.slice(0, this.o.maxLineChars)).trim().split(/\s+/).filter(Boolean).slice(0, this.o.maxTokens);
  }

  /** Adds a line; answers the cluster it joined (or started). */
  add(line: string): Cluster {
    const tokens = this.tokens(line);
    const leaf = this.leaf(tokens);
    let best: Cluster | undefined;
    let bestScore = -1;
    for (const c of leaf.clusters) {
      const score = similarity(c.tokens, tokens);
      // Ties go to the older cluster (lower id): the same input always gives the same templates.
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    if (best && bestScore >= this.o.similarity) {
      best.tokens = merge(best.tokens, tokens);
      best.size += 1;
      return best;
    }
    if (this.all.length >= this.o.maxClusters) {
      this.overflow ??= { id: -1, tokens: [OVERFLOW], size: 0 };
      this.overflow.size += 1;
      return this.overflow;
    }
    const created: Cluster = { id: this.all.length, tokens, size: 1 };
    this.all.push(created);
    leaf.clusters.push(created);
    return created;
  }

  clusters(): Cluster[] {
    return this.overflow ? [...this.all, this.overflow] : [...this.all];
  }

  /** Length level, then the first tokens (a token with a digit or a placeholder routes as `<*>`). */
  private leaf(tokens: readonly string[]): Node {
    let at = child(this.root, String(tokens.length), this.o.maxChildren);
    for (let i = 0; i < Math.min(this.o.prefixTokens, tokens.length); i++) {
      const t = tokens[i]!;
      const key = /\d/.test(t) || t.startsWith('<') ? WILDCARD : t;
      at = child(at, key, this.o.maxChildren);
    }
    return at;
  }
}

/** The child for `key`, or the wildcard child once a node has its maximum of children. */
function child(parent: Node, key: string, maxChildren: number): Node {
  let next = parent.children.get(key);
  if (next) return next;
  if (parent.children.size >= maxChildren - 1 && key !== WILDCARD) key = WILDCARD;
  next = parent.children.get(key);
  if (!next) {
    next = node();
    parent.children.set(key, next);
  }
  return next;
}

function similarity(template: readonly string[], tokens: readonly string[]): number {
  if (template.length !== tokens.length || tokens.length === 0) return template.length === tokens.length ? 1 : 0;
  let same = 0;
  for (let i = 0; i < tokens.length; i++) if (template[i] === tokens[i] || template[i] === WILDCARD) same += 1;
  return same / tokens.length;
}

function merge(template: readonly string[], tokens: readonly string[]): string[] {
  return template.map((t, i) => (t === tokens[i] ? t : WILDCARD));
}

export const templateText = (c: Cluster): string => c.tokens.join(' ');
