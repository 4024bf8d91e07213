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
  return { resultType: 'matrix', result: series.map((s) => ({ metric: s.labels, values: s.points.map(([t, v]) => [t, formatSampleValue(v)]) })) };
}

/** A stable identity for a label set (sorted keys). */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}
