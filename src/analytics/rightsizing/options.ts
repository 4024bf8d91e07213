/**
 * Right-sizing policy knobs, validated with zod because they arrive from API requests and
 * workspace settings. Every default is a deliberate, documented choice (see src/analytics/README.md).
 */
import { z } from 'zod';
import { MiB } from './units.js';

export const rightsizingOptionsSchema = z.object({
  /** Usage percentile that sizes the CPU request (default p95: brief bursts above it borrow idle CPU). */
  cpuPercentile: z.number().gt(0).max(1).default(0.95),
  /**
   * Headroom added on top of the CPU percentile (default 20%): covers growth and the 5% of samples
   * above p95 without pushing the container into contention, while still cutting typical 3-10×
   * over-requests. Comparable to VPA's p90 + 15% but a notch more conservative.
   */
  cpuHeadroom: z.number().min(0).max(10).default(0.2),
  /** Buffer on top of the peak memory working set (default 15%); the request never goes below the peak. */
  memoryBuffer: z.number().min(0).max(10).default(0.15),
  /** Floor for CPU requests in cores (default 10m: smaller requests only distort scheduling). */
  minCpuCores: z.number().min(0).default(0.01),
  /** Floor for memory requests in bytes (default 32 MiB). */
  minMemoryBytes: z
    .number()
    .min(0)
    .default(32 * MiB),
  /** CPU requests are rounded up to a multiple of this many millicores (default 5m). */
  cpuRoundingMillicores: z.number().int().min(1).default(5),
  /** Memory requests are rounded up to a multiple of this many MiB (default 8 MiB). */
  memoryRoundingMiB: z.number().int().min(1).default(8),
  /**
   * CPU limit policy. 'none' (default): advise no CPU limit — CPU is compressible, the request already
   * guarantees the container's share under contention, and CFS quotas throttle bursts even on idle
   * nodes (latency spikes). 'ratio': limit = request × cpuLimitRatio, for tenants whose LimitRange
   * demands a limit.
   */
  cpuLimitPolicy: z.enum(['none', 'ratio']).default('none'),
  cpuLimitRatio: z.number().min(1).default(2),
  /**
   * Memory limit policy. 'equal' (default): limit = request — memory is not compressible, so a limit
   * above the request is an overcommit that ends in OOM kills or evictions of neighbours.
   * 'ratio': limit = request × memoryLimitRatio (never below the request).
   */
  memoryLimitPolicy: z.enum(['equal', 'ratio']).default('equal'),
  memoryLimitRatio: z.number().min(1).default(1.25),
  /** A change is only reported when it exceeds this share of the current request (default 10%)… */
  minChangeFraction: z.number().min(0).default(0.1),
  /** …and this absolute amount: 25m of CPU (default)… */
  minChangeCpuCores: z.number().min(0).default(0.025),
  /** …or 32 MiB of memory (default). */
  minChangeMemoryBytes: z
    .number()
    .min(0)
    .default(32 * MiB),
  /** Minimum span between the first and last usable sample (default 24 h: one full daily cycle). */
  minHistoryMs: z
    .number()
    .min(0)
    .default(24 * 3_600_000),
  /** Minimum number of usable (finite) samples per series (default 50). */
  minPoints: z.number().int().min(1).default(50),
});

export type RightsizingOptions = z.input<typeof rightsizingOptionsSchema>;
export type ResolvedRightsizingOptions = z.output<typeof rightsizingOptionsSchema>;

/** Validates and fills in defaults (throws a ZodError on invalid options). */
export function resolveRightsizingOptions(options: RightsizingOptions = {}): ResolvedRightsizingOptions {
  return rightsizingOptionsSchema.parse(options);
}
