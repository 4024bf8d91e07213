/** Input and result shapes of right-sizing. CPU quantities are in cores, memory in bytes. */
import type { SeriesInput } from '../forecast/series-input.js';

/** One container's observed usage and current settings, as fetched from Prometheus / the API server. */
export interface ContainerUsageInput {
  container: string;
  namespace?: string;
  pod?: string;
  /** CPU usage in cores (e.g. `rate(container_cpu_usage_seconds_total[5m])`). */
  cpuUsageCores: SeriesInput;
  /** Memory working set in bytes (`container_memory_working_set_bytes`, what the OOM killer sees). */
  memoryWorkingSetBytes: SeriesInput;
  cpuRequestCores?: number;
  cpuLimitCores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
}

/**
 * How the current request compares with the recommendation. 'unset' means no request today
 * (the scheduler reserves nothing for this container).
 */
export type ResourceClassification = 'over-provisioned' | 'under-provisioned' | 'ok' | 'unset';

/** Overall verdict: under-provisioned wins (risk first), then over-provisioned, else ok. */
export type ContainerClassification = 'over-provisioned' | 'under-provisioned' | 'ok';

export interface ResourceRecommendation {
  /** Current request (cores or bytes), null when unset. */
  currentRequest: number | null;
  /** Recommended request, rounded up to the configured granularity. */
  recommendedRequest: number;
  currentLimit: number | null;
  /** Recommended limit; null means "set no limit" (the default CPU policy). */
  recommendedLimit: number | null;
  classification: ResourceClassification;
  /**
   * current − recommended request when the change is large enough to report, else 0. Positive:
   * resources freed; negative: more must be reserved. 0 when the current request is unset.
   */
  savings: number;
  /** savings / current request (0 when not reported or unset). */
  savingsShare: number;
  /** Usage statistics the recommendation is based on. */
  observed: { peak: number; mean: number; percentile: number; points: number; spanMs: number };
  /** Manifest-style strings, e.g. { request: '250m', limit: null }. */
  display: { currentRequest: string | null; recommendedRequest: string; recommendedLimit: string | null };
}

interface ContainerIdentity {
  container: string;
  namespace?: string;
  pod?: string;
}

export interface ContainerRecommendation extends ContainerIdentity {
  status: 'ok';
  classification: ContainerClassification;
  cpu: ResourceRecommendation;
  memory: ResourceRecommendation;
  /** Warnings and the reasoning an operator needs (policies applied, throttling / OOM risk). */
  notes: string[];
}

/** Refusal to recommend because the history is too short or too sparse. */
export interface InsufficientDataResult extends ContainerIdentity {
  status: 'insufficient_data';
  reasons: string[];
  cpuPoints: number;
  memoryPoints: number;
  spanMs: number;
}

export type RightsizingResult = ContainerRecommendation | InsufficientDataResult;
