/**
 * Workspace-level roll-up of container recommendations: what could be reclaimed, what must be
 * added, and the net change as a share of today's requests.
 */
import type { RightsizingOptions } from './options.js';
import { resolveRightsizingOptions } from './options.js';
import { recommendWithResolved } from './recommend.js';
import type {
  ContainerClassification,
  ContainerRecommendation,
  ContainerUsageInput,
  ResourceRecommendation,
  RightsizingResult,
} from './types.js';
import { GiB } from './units.js';

export interface ResourceTotals {
  /** Sum of current requests (containers with a request set). */
  currentRequests: number;
  /** Sum of recommended requests over all analysed containers. */
  recommendedRequests: number;
  /** Sum of positive savings: what over-provisioned containers would free. */
  reclaimable: number;
  /** Sum of negative savings, as a positive number: what under-provisioned containers need. */
  additional: number;
  /** reclaimable − additional. */
  netSavings: number;
  /** netSavings / currentRequests (0 when nothing is requested today). */
  netSavingsShare: number;
}

export interface WorkspaceSummary {
  containers: number;
  analysed: number;
  insufficientData: number;
  byClassification: Record<ContainerClassification, number>;
  /** Containers with at least one unset request (counted under under-provisioned too). */
  withUnsetRequests: number;
  cpuCores: ResourceTotals;
  memoryBytes: ResourceTotals;
  /** Convenience copies of the memory totals in GiB. */
  memoryGiB: ResourceTotals;
}

/** Aggregates container results (insufficient-data results are counted but not summed). */
export function summariseWorkspace(results: readonly RightsizingResult[]): WorkspaceSummary {
  const analysed = results.filter((r): r is ContainerRecommendation => r.status === 'ok');
  const byClassification: Record<ContainerClassification, number> = { 'over-provisioned': 0, 'under-provisioned': 0, ok: 0 };
  for (const r of analysed) byClassification[r.classification]++;
  const memoryBytes = totals(analysed.map((r) => r.memory));
  return {
    containers: results.length,
    analysed: analysed.length,
    insufficientData: results.length - analysed.length,
    byClassification,
    withUnsetRequests: analysed.filter((r) => r.cpu.classification === 'unset' || r.memory.classification === 'unset').length,
    cpuCores: totals(analysed.map((r) => r.cpu)),
    memoryBytes,
    memoryGiB: scale(memoryBytes, 1 / GiB),
  };
}

/** Recommends every container with one set of options and summarises the workspace. */
export function rightsizeWorkspace(
  inputs: readonly ContainerUsageInput[],
  options: RightsizingOptions = {},
): { containers: RightsizingResult[]; summary: WorkspaceSummary } {
  const opts = resolveRightsizingOptions(options);
  const containers = inputs.map((input) => recommendWithResolved(input, opts));
  return { containers, summary: summariseWorkspace(containers) };
}

function totals(resources: ResourceRecommendation[]): ResourceTotals {
  let currentRequests = 0;
  let recommendedRequests = 0;
  let reclaimable = 0;
  let additional = 0;
  for (const r of resources) {
    if (r.currentRequest !== null) currentRequests += r.currentRequest;
    recommendedRequests += r.recommendedRequest;
    if (r.savings > 0) reclaimable += r.savings;
    else additional -= r.savings;
  }
  const netSavings = reclaimable - additional;
  return {
    currentRequests,
    recommendedRequests,
    reclaimable,
    additional,
    netSavings,
    netSavingsShare: currentRequests > 0 ? netSavings / currentRequests : 0,
  };
}

function scale(t: ResourceTotals, factor: number): ResourceTotals {
  return {
    currentRequests: t.currentRequests * factor,
    recommendedRequests: t.recommendedRequests * factor,
    reclaimable: t.reclaimable * factor,
    additional: t.additional * factor,
    netSavings: t.netSavings * factor,
    netSavingsShare: t.netSavingsShare,
  };
}
