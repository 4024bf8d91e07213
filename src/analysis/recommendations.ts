/**
 * Findings as recommendations (right-sizing, capacity, compliance, security), the seed's shape:
 * category, priority, impact, effort, estimated savings and the actions a human should take.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EvidenceSchema, ResourceRefSchema, type Finding, type FindingKind, type Severity } from './types.js';

export const RecommendationSchema = z.object({
  id: z.string(),
  category: z.enum(['performance', 'cost', 'security', 'reliability']),
  priority: z.enum(['low', 'medium', 'high', 'critical']),
  title: z.string(),
  description: z.string(),
  impact: z.string(),
  effort: z.enum(['low', 'medium', 'high']),
  estimated_savings: z.object({ cpu_cores: z.number(), memory_gib: z.number(), share_of_requests: z.number().optional() }).nullable(),
  actions: z.array(z.string()),
  resource: ResourceRefSchema,
  evidence: z.array(EvidenceSchema),
  finding_kind: z.string(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

const PRIORITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

type Priority = Recommendation['priority'];

/** How the finding kinds other than right-sizing read as recommendations: one row per kind. */
interface Plain {
  category: Recommendation['category'];
  priority: Record<Severity, Priority>;
  impact: string;
  effort: Recommendation['effort'];
  /** The action when the finding's `details.actions` names none. */
  action: string;
}

const CAPACITY: Plain = {
  category: 'reliability',
  priority: { critical: 'critical', warning: 'high', info: 'medium' },
  impact: 'the resource runs out: writes fail, pods cannot be scheduled or are killed',
  effort: 'medium',
  action: 'Expand the capacity or reduce usage before the forecast time',
};
const SECURITY: Plain = {
  category: 'security',
  priority: { critical: 'critical', warning: 'high', info: 'high' },
  impact: 'possible compromise, data exfiltration or resource abuse',
  effort: 'medium',
  action: 'Investigate the workload: its image, recent changes and outbound connections',
};
const PLAIN: Partial<Record<FindingKind, Plain>> = {
  capacity: CAPACITY,
  quota: CAPACITY,
  compliance: {
    category: 'reliability',
    priority: { critical: 'high', warning: 'medium', info: 'medium' },
    impact: 'unpredictable scheduling, noisy-neighbour effects, or unreproducible deployments',
    effort: 'low',
    action: 'Fix the workload specification',
  },
  security: SECURITY,
  egress: SECURITY,
};

export function recommendationsFrom(findings: readonly Finding[]): Recommendation[] {
  return findings
    .flatMap((f) => {
      const r = fromFinding(f);
      return r ? [r] : [];
    })
    .sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.title.localeCompare(b.title));
}

function fromFinding(f: Finding): Recommendation | undefined {
  const base = {
    id: createHash('sha256').update(f.id).digest('hex').slice(0, 16),
    title: f.title,
    description: f.title,
    resource: f.resource,
    evidence: f.evidence.slice(0, 3),
    finding_kind: f.kind,
  };
  const d = f.details as Record<string, unknown>;
  if (f.kind === 'rightsizing') {
    const savings = (d.savings ?? {}) as { cpu_cores?: unknown; memory_bytes?: unknown; largest_share?: unknown };
    const cpu = num(savings.cpu_cores);
    const mem = num(savings.memory_bytes) / 2 ** 30;
    const reclaim = d.classification === 'over-provisioned';
    return {
      ...base,
      category: reclaim ? 'cost' : 'reliability',
      priority: reclaim ? (cpu >= 1 || mem >= 2 ? 'medium' : 'low') : f.severity === 'warning' ? 'high' : 'medium',
      impact: reclaim
        ? `frees ${cpu.toFixed(2)} cores and ${mem.toFixed(2)} GiB of requests`
        : 'requests below real usage risk throttling, eviction or OOM kills',
      effort: 'low',
      estimated_savings: reclaim
        ? {
            cpu_cores: cpu,
            memory_gib: Number(mem.toFixed(3)),
            ...(savings.largest_share !== undefined ? { share_of_requests: num(savings.largest_share) } : {}),
          }
        : null,
      actions: ['Set the container requests and limits to the recommended values', ...strings(d.notes, [])],
    };
  }
  const plain = PLAIN[f.kind];
  if (!plain) return undefined;
  return {
    ...base,
    category: plain.category,
    priority: plain.priority[f.severity],
    impact: plain.impact,
    effort: plain.effort,
    estimated_savings: null,
    actions: strings(d.actions, [plain.action]),
  };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strings = (v: unknown, fallback: string[]) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 ? (v as string[]) : fallback;
