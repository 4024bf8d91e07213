/**
 * Per-container right-sizing: CPU request from a usage percentile plus headroom, memory request from
 * the peak working set plus a buffer (never below the peak), limits from the configured policies,
 * and the resulting savings. Refuses with a typed result, never a throw, when history is too short.
 */
import { classifyContainer, classifyResource } from './classify.js';
import { type ResolvedRightsizingOptions, type RightsizingOptions, resolveRightsizingOptions } from './options.js';
import type { ContainerUsageInput, ResourceRecommendation, RightsizingResult } from './types.js';
import { formatBytes, formatCores, roundUpBytes, roundUpCores } from './units.js';
import { profileUsage, type UsageProfile } from './usage-profile.js';

/** Recommends requests and limits for one container (options are validated; invalid ones throw). */
export function recommendContainer(input: ContainerUsageInput, options: RightsizingOptions = {}): RightsizingResult {
  return recommendWithResolved(input, resolveRightsizingOptions(options));
}

/** {@link recommendContainer} with already-validated options (avoids re-parsing per container). */
export function recommendWithResolved(input: ContainerUsageInput, opts: ResolvedRightsizingOptions): RightsizingResult {
  const identity = {
    container: input.container,
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    ...(input.pod !== undefined ? { pod: input.pod } : {}),
  };
  const cpu = profileUsage(input.cpuUsageCores, opts.cpuPercentile);
  const memory = profileUsage(input.memoryWorkingSetBytes, 1);
  const reasons = historyProblems('CPU', cpu, opts).concat(historyProblems('memory', memory, opts));
  if (reasons.length > 0) {
    return {
      ...identity,
      status: 'insufficient_data',
      reasons,
      cpuPoints: cpu.points,
      memoryPoints: memory.points,
      spanMs: Math.min(cpu.spanMs, memory.spanMs),
    };
  }

  const notes: string[] = [];
  const cpuRequest = roundUpCores(Math.max(cpu.percentile * (1 + opts.cpuHeadroom), opts.minCpuCores), opts.cpuRoundingMillicores);
  const cpuLimit = opts.cpuLimitPolicy === 'none' ? null : roundUpCores(cpuRequest * opts.cpuLimitRatio, opts.cpuRoundingMillicores);
  notes.push(
    opts.cpuLimitPolicy === 'none'
      ? 'CPU: no limit advised (CPU is compressible; the request guarantees the share, a quota would only throttle bursts)'
      : `CPU: limit = ${opts.cpuLimitRatio} × request`,
  );
  const memoryRequest = roundUpBytes(
    Math.max(memory.peak * (1 + opts.memoryBuffer), memory.peak, opts.minMemoryBytes),
    opts.memoryRoundingMiB,
  );
  const memoryLimit =
    opts.memoryLimitPolicy === 'equal'
      ? memoryRequest
      : roundUpBytes(Math.max(memoryRequest, memoryRequest * opts.memoryLimitRatio), opts.memoryRoundingMiB);
  notes.push(
    opts.memoryLimitPolicy === 'equal'
      ? 'memory: limit = request (memory cannot be reclaimed; no overcommit)'
      : `memory: limit = ${opts.memoryLimitRatio} × request`,
  );

  if (input.cpuLimitCores !== undefined && cpu.peak >= 0.9 * input.cpuLimitCores) {
    notes.push(
      `CPU usage peaked at ${formatCores(cpu.peak)}, ≥ 90% of the ${formatCores(input.cpuLimitCores)} limit: likely throttled, true demand may be higher`,
    );
  }
  if (input.memoryLimitBytes !== undefined && memory.peak >= 0.9 * input.memoryLimitBytes) {
    notes.push(`memory peaked at ${formatBytes(memory.peak)}, ≥ 90% of the ${formatBytes(input.memoryLimitBytes)} limit: OOM-kill risk`);
  }

  const cpuRec = resource(
    cpu,
    input.cpuRequestCores,
    input.cpuLimitCores,
    cpuRequest,
    cpuLimit,
    opts.minChangeFraction,
    opts.minChangeCpuCores,
    formatCores,
  );
  const memRec = resource(
    memory,
    input.memoryRequestBytes,
    input.memoryLimitBytes,
    memoryRequest,
    memoryLimit,
    opts.minChangeFraction,
    opts.minChangeMemoryBytes,
    formatBytes,
  );
  if (cpuRec.classification === 'unset') notes.push('CPU request unset: the scheduler reserves nothing for this container');
  if (memRec.classification === 'unset') notes.push('memory request unset: the container can be evicted first under node pressure');
  return {
    ...identity,
    status: 'ok',
    classification: classifyContainer(cpuRec.classification, memRec.classification),
    cpu: cpuRec,
    memory: memRec,
    notes,
  };
}

function historyProblems(label: string, profile: UsageProfile, opts: ResolvedRightsizingOptions): string[] {
  const problems: string[] = [];
  if (profile.points < opts.minPoints) problems.push(`${label}: ${profile.points} usable samples, need ${opts.minPoints}`);
  if (profile.spanMs < opts.minHistoryMs) {
    problems.push(
      `${label}: ${(profile.spanMs / 3_600_000).toFixed(1)} h of history, need ${(opts.minHistoryMs / 3_600_000).toFixed(1)} h`,
    );
  }
  return problems;
}

function resource(
  usage: UsageProfile,
  currentRequest: number | undefined,
  currentLimit: number | undefined,
  recommendedRequest: number,
  recommendedLimit: number | null,
  minFraction: number,
  minAbsolute: number,
  format: (x: number) => string,
): ResourceRecommendation {
  const current = currentRequest !== undefined && Number.isFinite(currentRequest) ? currentRequest : null;
  const classification = classifyResource(current, recommendedRequest, minFraction, minAbsolute);
  const reported = classification === 'over-provisioned' || classification === 'under-provisioned';
  const savings = reported && current !== null ? current - recommendedRequest : 0;
  return {
    currentRequest: current,
    recommendedRequest,
    currentLimit: currentLimit !== undefined && Number.isFinite(currentLimit) ? currentLimit : null,
    recommendedLimit,
    classification,
    savings,
    savingsShare: current !== null && current > 0 ? savings / current : 0,
    observed: { peak: usage.peak, mean: usage.mean, percentile: usage.percentile, points: usage.points, spanMs: usage.spanMs },
    display: {
      currentRequest: current === null ? null : format(current),
      recommendedRequest: format(recommendedRequest),
      recommendedLimit: recommendedLimit === null ? null : format(recommendedLimit),
    },
  };
}
