/**
 * Decides whether a request differs enough from its recommendation to be worth reporting. Small
 * differences are noise (and churn: every change restarts pods), so a change must exceed both a
 * relative and an absolute threshold.
 */
import type { ContainerClassification, ResourceClassification } from './types.js';

/**
 * 'over-provisioned' when the current request exceeds the recommendation by more than both
 * `minFraction × current` and `minAbsolute`; 'under-provisioned' in the other direction; 'ok'
 * otherwise; 'unset' when there is no current request.
 */
export function classifyResource(
  current: number | null,
  recommended: number,
  minFraction: number,
  minAbsolute: number,
): ResourceClassification {
  if (current === null) return 'unset';
  const difference = current - recommended;
  const threshold = Math.max(minFraction * current, minAbsolute);
  if (difference > threshold) return 'over-provisioned';
  if (-difference > threshold) return 'under-provisioned';
  return 'ok';
}

/**
 * Combines per-resource verdicts: any under-provisioned or unset resource makes the container
 * under-provisioned (a missing request means usage the scheduler never reserved — a risk that
 * outranks savings); otherwise any over-provisioned resource makes it over-provisioned.
 */
export function classifyContainer(cpu: ResourceClassification, memory: ResourceClassification): ContainerClassification {
  const both = [cpu, memory];
  if (both.some((c) => c === 'under-provisioned' || c === 'unset')) return 'under-provisioned';
  if (both.includes('over-provisioned')) return 'over-provisioned';
  return 'ok';
}
