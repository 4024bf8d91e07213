/**
 * Findings as recommendations (right-sizing, capacity, compliance, security), the seed's shape:
 * category, priority, impact, effort, estimated savings and the actions a human should take.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EvidenceSchema, ResourceRefSchema, type Finding } from './types.js';

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
    resource: f.resource,
    evidence: f.evidence.slice(0, 3),
    finding_kind: f.kind,
    estimated_savings: null,
  };
  const d = f.details as Record<string, unknown>;
  switch (f.kind) {
    case 'rightsizing': {
      const savings = (d.savings ?? {}) as { cpu_cores?: unknown; memory_bytes?: unknown; largest_share?: unknown };
      const cpu = num(savings.cpu_cores);
      const mem = num(savings.memory_bytes) / 2 ** 30;
      const reclaim = d.classification === 'over-provisioned';
      return {
        ...base,
        category: reclaim ? 'cost' : 'reliability',
        priority: reclaim ? (cpu >= 1 || mem >= 2 ? 'medium' : 'low') : f.severity === 'warning' ? 'high' : 'medium',
        description: f.title,
        impact: reclaim ? `frees ${cpu.toFixed(2)} cores and ${mem.toFixed(2)} GiB of requests` : 'requests below real usage risk throttling, eviction or OOM kills',
        effort: 'low',
        estimated_savings: reclaim ? { cpu_cores: cpu, memory_gib: Number(mem.toFixed(3)), ...(savings.largest_share !== undefined ? { share_of_requests: num(savings.largest_share) } : {}) } : null,
        actions: strings(d.notes, []).length > 0
          ? ['Set the container requests and limits to the recommended values', ...strings(d.notes, [])]
          : ['Set the container requests and limits to the recommended values'],
      };
    }
    case 'capacity':
    case 'quota':
      return {
        ...base,
        category: 'reliability',
        priority: f.severity === 'critical' ? 'critical' : f.severity === 'warning' ? 'high' : 'medium',
        description: f.title,
        impact: 'the resource runs out: writes fail, pods cannot be scheduled or are killed',
        effort: 'medium',
        actions: strings(d.actions, ['Expand the capacity or reduce usage before the forecast time']),
      };
    case 'compliance':
      return {
        ...base,
        category: 'reliability',
        priority: f.severity === 'critical' ? 'high' : 'medium',
        description: f.title,
        impact: 'unpredictable scheduling, noisy-neighbour effects, or unreproducible deployments',
        effort: 'low',
        actions: strings(d.actions, ['Fix the workload specification']),
      };
    case 'security':
    case 'egress':
      return {
        ...base,
        category: 'security',
        priority: f.severity === 'critical' ? 'critical' : 'high',
        description: f.title,
        impact: 'possible compromise, data exfiltration or resource abuse',
        effort: 'medium',
        actions: strings(d.actions, ['Investigate the workload: its image, recent changes and outbound connections']),
      };
    default:
      return undefined;
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strings = (v: unknown, fallback: string[]) => (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 ? (v as string[]) : fallback);
