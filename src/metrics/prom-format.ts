/** Prometheus's JSON conventions for sample values and result shapes. */
import type { PromQueryData } from '../clients/prometheus.js';

export type Labels = Record<string, string>;

/** Sample values are strings in Prometheus JSON: "+Inf", "-Inf" and "NaN" included. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function vectorResult(samples: { labels: Labels; value: number }[], timeSeconds: number): PromQueryData {
  return { resultType: 'vector', result: samples.map((s) => ({ metric: s.labels, value: [timeSeconds, formatSampleValue(s.value)] })) };
}

export function matrixResult(series: { labels: Labels; points: [number, number][] }[]): PromQueryData {
  return {
    resultType: 'matrix',
    result: series.map((s) => ({ metric: s.labels, values: s.points.map(([t, v]) => [t, formatSampleValue(v)]) })),
  };
}

/**
 * A stable identity for a label set (sorted keys, each name and value length-prefixed so no value can
 * imitate a separator). The embedded evaluator computes one per sample per step: this spelling is a few
 * times cheaper than JSON.stringify of [name, value] pairs.
 */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name]!;
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}
