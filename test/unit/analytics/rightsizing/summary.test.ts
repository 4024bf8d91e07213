import { describe, expect, it } from 'vitest';
import { classifyContainer, classifyResource } from '../../../../src/analytics/rightsizing/classify.js';
import { rightsizeWorkspace } from '../../../../src/analytics/rightsizing/summary.js';
import type { ContainerUsageInput } from '../../../../src/analytics/rightsizing/types.js';
import { formatBytes, formatCores, GiB, MiB, roundUpBytes, roundUpCores } from '../../../../src/analytics/rightsizing/units.js';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 5 * 60_000;

function flat(n: number, value: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [T0 + i * STEP, value] as [number, number]);
}

function container(
  name: string,
  cpu: number,
  memMiB: number,
  cpuRequest: number | undefined,
  memRequestMiB: number | undefined,
  points = 576,
): ContainerUsageInput {
  return {
    container: name,
    cpuUsageCores: flat(points, cpu),
    memoryWorkingSetBytes: flat(points, memMiB * MiB),
    ...(cpuRequest !== undefined ? { cpuRequestCores: cpuRequest } : {}),
    ...(memRequestMiB !== undefined ? { memoryRequestBytes: memRequestMiB * MiB } : {}),
  };
}

describe('rightsizeWorkspace', () => {
  it('aggregates reclaimable and additional resources and their share of current requests', () => {
    const { containers, summary } = rightsizeWorkspace([
      container('idle', 0.2, 500, 1, 2048), // CPU 1 → 0.24 (frees 0.76); memory 2048 → 576 MiB (frees 1472)
      container('busy', 1.5, 1000, 0.5, 1200), // CPU 0.5 → 1.8 (needs 1.3); memory 1000 → 1152 MiB (ok: 48 MiB < 10%)
      container('new', 0.1, 100, undefined, undefined), // unset: counted, no savings
      container('young', 0.1, 100, 1, 1024, 20), // 20 points: insufficient data
    ]);
    expect(containers.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'insufficient_data']);
    expect(summary.containers).toBe(4);
    expect(summary.analysed).toBe(3);
    expect(summary.insufficientData).toBe(1);
    expect(summary.byClassification).toEqual({ 'over-provisioned': 1, 'under-provisioned': 2, ok: 0 });
    expect(summary.withUnsetRequests).toBe(1);
    expect(summary.cpuCores.currentRequests).toBeCloseTo(1.5, 12);
    expect(summary.cpuCores.reclaimable).toBeCloseTo(0.76, 12);
    expect(summary.cpuCores.additional).toBeCloseTo(1.3, 12);
    expect(summary.cpuCores.netSavings).toBeCloseTo(-0.54, 12);
    expect(summary.cpuCores.netSavingsShare).toBeCloseTo(-0.54 / 1.5, 12);
    expect(summary.memoryBytes.reclaimable).toBe(1472 * MiB);
    expect(summary.memoryBytes.additional).toBe(0);
    expect(summary.memoryGiB.reclaimable).toBeCloseTo(1472 / 1024, 12);
    expect(summary.memoryBytes.netSavingsShare).toBeCloseTo(1472 / (2048 + 1200), 12);
  });

  it('summarises an empty workspace to zeros', () => {
    const { summary } = rightsizeWorkspace([]);
    expect(summary.analysed).toBe(0);
    expect(summary.cpuCores.netSavingsShare).toBe(0);
  });
});

describe('classification thresholds', () => {
  it('needs both the relative and the absolute minimum change', () => {
    expect(classifyResource(1, 0.95, 0.1, 0.025)).toBe('ok'); // 5% < 10%
    expect(classifyResource(1, 0.85, 0.1, 0.025)).toBe('over-provisioned');
    expect(classifyResource(0.1, 0.07, 0.1, 0.025)).toBe('over-provisioned'); // 30m > max(10m, 25m)
    expect(classifyResource(0.1, 0.08, 0.1, 0.025)).toBe('ok'); // 20m < 25m absolute minimum
    expect(classifyResource(1, 1.2, 0.1, 0.025)).toBe('under-provisioned');
    expect(classifyResource(null, 1, 0.1, 0.025)).toBe('unset');
  });

  it('puts risk before savings when combining resources', () => {
    expect(classifyContainer('over-provisioned', 'under-provisioned')).toBe('under-provisioned');
    expect(classifyContainer('over-provisioned', 'ok')).toBe('over-provisioned');
    expect(classifyContainer('ok', 'unset')).toBe('under-provisioned');
    expect(classifyContainer('ok', 'ok')).toBe('ok');
  });
});

describe('units', () => {
  it('rounds up to millicore and MiB granularities without float noise', () => {
    expect(roundUpCores(0.24, 5)).toBeCloseTo(0.24, 12);
    expect(roundUpCores(0.2401, 5)).toBeCloseTo(0.245, 12);
    expect(roundUpBytes(575 * MiB, 8)).toBe(576 * MiB);
    expect(roundUpBytes(576 * MiB, 8)).toBe(576 * MiB);
  });

  it('formats like a manifest', () => {
    expect(formatCores(0.25)).toBe('250m');
    expect(formatCores(2)).toBe('2');
    expect(formatBytes(816 * MiB)).toBe('816Mi');
    expect(formatBytes(1.5 * GiB)).toBe('1.5Gi');
    expect(formatBytes(1000 * MiB)).toBe('1000Mi');
  });
});
