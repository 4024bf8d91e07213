/**
 * The intent router of chat's deterministic mode (no model configured), and the approval commands
 * recognised in every mode. Pure and conservative: a message maps to an intent only when its words
 * clearly ask for one; anything else is `unknown` (answered with "free-form questions need a model").
 * Approvals are recognised only as a short command typed by the user ("approve", "reject: too
 * risky", "approve <id>"), never inside a longer sentence, so a question such as "should I approve
 * it?" decides nothing.
 */
import type { AnalysisType } from '../../src/analysis/types.js';

export type RemediationVerb = 'restart' | 'scale' | 'rollback';

export interface TargetMention {
  /** Kubernetes kind named by the user (pod, deployment, statefulset), when given. */
  kind?: string;
  name?: string;
  namespace?: string;
}

export type Intent =
  | { kind: 'approve' | 'reject'; remediationId?: string; comment?: string }
  | { kind: 'whats_wrong'; analysisType: AnalysisType; namespace?: string; windowMinutes: number; subjects: string[] }
  | { kind: 'forecast'; namespace?: string; windowMinutes: number }
  | { kind: 'recommendations'; namespace?: string; windowMinutes: number }
  | { kind: 'alerts'; name?: string }
  /** Application log lines (errors only when the message says errors), of a workload when one is named. */
  | { kind: 'logs'; errorsOnly: boolean; namespace?: string; windowMinutes: number; subjects: string[] }
  /** Failed logins and other security events, folded by source. */
  | { kind: 'security_events'; windowMinutes: number }
  /** The workspace's Warning Kubernetes events. */
  | { kind: 'events'; namespace?: string; windowMinutes: number; subjects: string[] }
  | { kind: 'remediate'; verb: RemediationVerb; target: TargetMention; pronoun: boolean; replicas?: number }
  | { kind: 'unknown' };

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const APPROVAL = new RegExp(
  `^(?:(?:yes|ok|okay)[,!]?\\s+)?(?:please\\s+)?(approve|approved|reject|rejected|decline|deny)` +
    `(?:\\s+(?:it|that|this|them|the\\s+remediation|remediation|the\\s+proposal))?(?:\\s+(${UUID}))?` +
    `(?:\\s*(?:[:,;]|\\s-|—)\\s*(.{1,500})|\\s+(?:because|as|since)\\s+(.{1,500})|\\s*[.!]?)$`,
  'is',
);

/** An approval command ("approve", "reject <id>: too risky"), or undefined. */
export function approvalCommand(message: string): { kind: 'approve' | 'reject'; remediationId?: string; comment?: string } | undefined {
  const m = APPROVAL.exec(message.trim());
  if (!m) return undefined;
  const kind = /^approve/i.test(m[1]!) ? 'approve' : 'reject';
  const comment = (m[3] ?? m[4])?.trim();
  return { kind, ...(m[2] ? { remediationId: m[2].toLowerCase() } : {}), ...(comment ? { comment } : {}) };
}

/** A Kubernetes object name (checked without a bounded-repetition regex: the input is user text). */
const K8S = { test: (w: string) => w.length <= 253 && /^[a-z0-9][a-z0-9.-]*$/.test(w) && /[a-z0-9]$/.test(w) };
const STOP = new Set([
  'the',
  'a',
  'an',
  'my',
  'our',
  'please',
  'now',
  'again',
  'up',
  'down',
  'back',
  'of',
  'that',
  'this',
  'i',
  'you',
  'we',
  'me',
]);
const PRONOUNS = new Set(['it', 'that', 'this', 'them', 'one']);
const KINDS: Record<string, string> = {
  pod: 'pod',
  pods: 'pod',
  deployment: 'deployment',
  deploy: 'deployment',
  statefulset: 'statefulset',
  sts: 'statefulset',
  app: 'deployment',
  application: 'deployment',
  workload: 'deployment',
  service: 'deployment',
};
const TARGET_END = new Set(['to', 'in', 'on', 'with', 'because', 'replicas', 'replica', 'and', 'so', 'since']);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[?!,;]+/g, ' ')
    .replace(/\.(\s|$)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

function namespaceAfter(ws: string[], i: number): string | undefined {
  for (let j = i + 1; j < Math.min(ws.length, i + 4); j++) {
    const w = ws[j]!;
    if (w === 'the' || w === 'namespace' || w === 'ns') continue;
    return K8S.test(w) ? w : undefined;
  }
  return undefined;
}

function remediation(text: string): Extract<Intent, { kind: 'remediate' }> | undefined {
  // Only the clause with the verb names the target: "Restart it now, I approve." is about "it", not "I".
  const clause = text.split(/[,;!?]|\.(?:\s|$)/).find((c) => /\b(?:restart|reboot|bounce|scale|rollback|roll)\b/i.test(c)) ?? text;
  // "roll back api" / "roll it back" → "rollback api" / "rollback it"
  const ws = words(clause.replace(/\broll\s+back\b/gi, 'rollback').replace(/\broll\s+(\S+)\s+back\b/gi, 'rollback $1'));
  const verbAt = ws.findIndex((w) => ['restart', 'reboot', 'bounce', 'scale', 'rollback'].includes(w));
  if (verbAt < 0) return undefined;
  const verb: RemediationVerb = ws[verbAt] === 'scale' ? 'scale' : ws[verbAt] === 'rollback' ? 'rollback' : 'restart';
  const target: TargetMention = {};
  let pronoun = false;
  let replicas: number | undefined;
  let i = verbAt + 1;
  for (; i < ws.length && !TARGET_END.has(ws[i]!); i++) {
    const w = ws[i]!;
    if (STOP.has(w) && w !== 'that' && w !== 'this') continue;
    if (PRONOUNS.has(w)) pronoun = true;
    else if (KINDS[w]) target.kind ??= KINDS[w];
    else if (!target.name) {
      const slash = w.split('/');
      if (slash.length === 2 && KINDS[slash[0]!] && K8S.test(slash[1]!)) {
        target.kind = KINDS[slash[0]!];
        target.name = slash[1];
      } else if (slash.length === 2 && K8S.test(slash[0]!) && K8S.test(slash[1]!)) {
        target.namespace = slash[0];
        target.name = slash[1];
      } else if (slash.length === 1 && K8S.test(w)) target.name = w;
    }
  }
  for (let j = verbAt + 1; j < ws.length; j++) {
    if ((ws[j] === 'in' || ws[j] === 'on') && !target.namespace) target.namespace = namespaceAfter(ws, j);
    if (ws[j] === 'to' && /^\d{1,4}$/.test(ws[j + 1] ?? '')) replicas = Number(ws[j + 1]);
  }
  if (!target.name && target.kind && !pronoun) pronoun = true; // "restart the deployment" → the one discussed
  if (verb === 'scale' && replicas === undefined) return undefined; // "scale" without a number is not a command
  return { kind: 'remediate', verb, target, pronoun: pronoun || !target.name, ...(replicas !== undefined ? { replicas } : {}) };
}

const UNITS: Record<string, number> = {
  m: 1,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
  h: 60,
  hr: 60,
  hrs: 60,
  hour: 60,
  hours: 60,
  d: 1440,
  day: 1440,
  days: 1440,
};

/** "last 2 hours", "past 30 min", "last hour", "last 6h", "today" → minutes (15–1440), else the fallback. */
function windowMinutes(text: string, fallback: number): number {
  const ws = words(text);
  for (let i = 0; i < ws.length; i++) {
    if (ws[i] !== 'last' && ws[i] !== 'past') continue;
    let n = 1;
    let unit = ws[i + 1] ?? '';
    const glued = /^(\d+)([a-z]+)$/.exec(unit);
    if (glued) [n, unit] = [Number(glued[1]), glued[2]!];
    else if (/^\d+$/.test(unit)) [n, unit] = [Number(unit), ws[i + 2] ?? ''];
    const per = UNITS[unit];
    if (per !== undefined && n > 0) return Math.min(1440, Math.max(15, n * per));
  }
  if (ws.includes('today') || text.toLowerCase().includes('24h') || text.toLowerCase().includes('24 h')) return 1440;
  return fallback;
}

/** "namespace shop", "in the shop namespace" → shop. */
function namespaceOf(text: string): string | undefined {
  const ws = words(text).map((w) => w.replace(/^["'`]+|["'`]+$/g, ''));
  const i = ws.indexOf('namespace');
  if (i < 0) return undefined;
  const isName = (w: string | undefined) =>
    w !== undefined && w.length <= 63 && K8S.test(w) && !w.includes('.') && !['the', 'a', 'this', 'that', 'my'].includes(w);
  if (isName(ws[i - 1]) && ['in', 'for', 'of', 'the'].includes(ws[i - 2] ?? '')) return ws[i - 1];
  return isName(ws[i + 1]) ? ws[i + 1] : undefined;
}

const QUESTION_WORDS = new Set([
  'what',
  'whats',
  "what's",
  'is',
  'are',
  'why',
  'how',
  'the',
  'a',
  'an',
  'now',
  'right',
  'wrong',
  'there',
  'anything',
  'something',
  'with',
  'slow',
  'broken',
  'failing',
  'down',
  'going',
  'on',
  'in',
  'my',
  'our',
  'workspace',
  'cluster',
  'happening',
  'today',
  'last',
  'past',
  'hour',
  'hours',
  'minutes',
  'so',
  'it',
  'problem',
  'problems',
  'issue',
  'issues',
  'error',
  'errors',
  'high',
  'latency',
  'of',
  'for',
  'and',
  'or',
  'me',
  'tell',
  'show',
  'please',
  'any',
  'do',
  'does',
  'we',
  'have',
  'has',
  'been',
  'this',
  'that',
  'keeps',
  'keep',
  'crashing',
  'restarting',
  'status',
  'health',
  'healthy',
  'check',
  'diagnose',
  'logs',
  'log',
  'lines',
  'list',
  'give',
  'get',
  'find',
  'read',
  'events',
  'event',
  'warnings',
  'warning',
  'exceptions',
  'kubernetes',
  'k8s',
  'from',
]);

/** Words that may name a workload or namespace ("why is checkout slow" → checkout). */
function subjectsOf(text: string): string[] {
  return [
    ...new Set(
      words(text)
        .map((w) => w.replace(/['"`]/g, ''))
        .filter((w) => w.length >= 3 && K8S.test(w) && !QUESTION_WORDS.has(w) && !/^\d+$/.test(w)),
    ),
  ].slice(0, 5);
}

function analysisTypeOf(text: string): AnalysisType {
  const t = text.toLowerCase();
  if (/\b(security|secure|mining|miner|crypto|attack|breach|intrusion|egress|exfiltrat\w*|suspicious)\b/.test(t)) return 'security';
  if (/\b(slow|slowness|latency|lag|laggy|performance|cpu|throttl\w*|timeouts?|5\d\d|errors?)\b/.test(t)) return 'performance';
  if (/\b(capacity|quota|storage)\b/.test(t)) return 'capacity';
  return 'anomaly';
}

/** An alert name as Prometheus rules spell them: a CamelCase word (KubePodCrashLooping, AIOpsOomKill). */
function alertNameIn(text: string): string | undefined {
  const camel = text
    .split(/[\s,;:!?"'`()]+/)
    .find((w) => /^[A-Za-z][A-Za-z0-9_]{3,100}$/.test(w) && /[a-z]/.test(w) && /[A-Z]/.test(w.slice(1)));
  if (camel) return camel;
  const ws = text.split(/\s+/).map((w) => w.replace(/^["'`]+|["'`?!.,;:]+$/g, ''));
  const at = ws.findIndex((w) => w.toLowerCase() === 'alert');
  if (at < 0) return undefined;
  const named = ws.slice(at + 1).find((w) => !['named', 'called', 'the'].includes(w.toLowerCase()));
  return named &&
    named.length >= 3 &&
    named.length <= 100 &&
    /^[A-Za-z][\w:.-]*$/.test(named) &&
    !['is', 'about', 'mean', 'means', 'firing', 'that', 'this'].includes(named.toLowerCase())
    ? named
    : undefined;
}

/** "should I restart it?", "why did it restart": questions about an action, not commands. */
const QUESTION_ABOUT_ACTION = /^(?:should|shall|would|why|what|how|when|did|does|was|were|is|has)\b/i;

/** Maps a message to an intent (see the file comment). */
export function routeIntent(message: string): Intent {
  const text = message.trim();
  const t = text.toLowerCase();
  const approval = approvalCommand(text);
  if (approval) return approval;
  const remediate = QUESTION_ABOUT_ACTION.test(text) ? undefined : remediation(text);
  if (remediate) return remediate;
  if (/\balerts?\b|\bfiring\b|\bpaged?\b/.test(t)) {
    const name = alertNameIn(text);
    return { kind: 'alerts', ...(name ? { name } : {}) };
  }
  const namespace = namespaceOf(text);
  const ns = namespace ? { namespace } : {};
  // The workloads named, beside the namespace and its keyword.
  const named = () => subjectsOf(text).filter((w) => w !== namespace && w !== 'namespace' && w !== 'ns');
  if (
    /\b(?:failed|failing|bad|suspicious|brute[- ]?forc\w*)\s+(?:log ?ins?|sign ?ins?|logons?|authentications?)\b|\b(?:log ?in|sign ?in|auth\w*) (?:failures?|attempts?)\b|\bbrute[- ]?forc\w*|\bsecurity events?\b|\bpassword spray\w*/.test(
      t,
    )
  ) {
    return { kind: 'security_events', windowMinutes: windowMinutes(text, 1440) };
  }
  // Asking for lines or events to read, not for an analysis: "show me the errors of api in the last hour".
  if (
    /\blogs?\b/.test(t) ||
    /\b(?:show|list|give|get|find|read|grep|search)\b.*\b(?:errors?|exceptions?|warnings?|stack ?traces?)\b/.test(t)
  ) {
    return {
      kind: 'logs',
      errorsOnly: /\b(?:errors?|exceptions?|fail\w*|stack ?traces?)\b/.test(t),
      ...ns,
      windowMinutes: windowMinutes(text, 60),
      subjects: named(),
    };
  }
  if (/\b(?:k8s |kubernetes |warning )?events?\b/.test(t) && !/\bsecurity events?\b/.test(t)) {
    return { kind: 'events', ...ns, windowMinutes: windowMinutes(text, 60), subjects: named() };
  }
  if (
    /\brun(?:s|ning)?\s+out\b|\bforecast\w*|\bcapacity\b|\bfill(?:s|ing)?\s+up\b|\bexhaust\w*|\bout of (?:space|memory|disk|quota)\b|\b(?:disk|volume|pvc|storage)s?\b.*\bfull\b/.test(
      t,
    )
  ) {
    return { kind: 'forecast', ...ns, windowMinutes: windowMinutes(text, 360) };
  }
  if (
    /\brecommend\w*|\bright[- ]?siz\w*|\b(?:over|under)[- ]?provision\w*|\bsave money\b|\bcosts?\b|\bwast\w*|\boptimi[sz]\w*|\brequests and limits\b/.test(
      t,
    )
  ) {
    return { kind: 'recommendations', ...ns, windowMinutes: windowMinutes(text, 1440) };
  }
  if (
    /\b(?:what'?s|what is|what went|what|anything|something|is there anything)\b.*\b(?:wrong|broken|broke|failing|happening|happened|going on|up)\b/.test(
      t,
    ) ||
    /\bwhy\b.*\b(?:slow|failing|down|crash\w*|restart\w*|broken|error\w*|oom\w*|high|latency|timing out)\b/.test(t) ||
    /\b(?:diagnos\w*|health|healthy|problems?|issues?|incidents?|root cause|analy[sz]e|status)\b/.test(t)
  ) {
    return {
      kind: 'whats_wrong',
      analysisType: analysisTypeOf(text),
      ...ns,
      windowMinutes: windowMinutes(text, 360),
      subjects: subjectsOf(text),
    };
  }
  return { kind: 'unknown' };
}
