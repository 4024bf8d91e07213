/**
 * Evaluates a catalog expression over raw series in-process, with Prometheus's semantics where
 * they matter for the answer: 5-minute staleness lookback for plain selectors, counter resets in
 * rate()/increase(), `sum by`, one-to-one matching `on(...)` keeping only the matching labels, and
 * histogram_quantile's linear interpolation inside buckets. Used by the embedded metrics source.
 */
import type { Expr, Matcher } from '../catalog/expr.js';
import { labelsKey, type Labels } from '../prom-format.js';
import type { RawSeries } from '../scenarios/index.js';

export interface Sample {
  labels: Labels;
  value: number;
}

const LOOKBACK_MS = 5 * 60_000;

/** Series grouped by metric name, for fast selection. */
export class SeriesIndex {
  private readonly byMetric = new Map<string, RawSeries[]>();
  /**
   * Selections do not depend on time, and a range query selects the same series at every step (an
   * index is also shared between queries): remembered, up to a bound since filters come from callers.
   */
  private readonly selections = new Map<string, RawSeries[]>();

  constructor(series: Iterable<RawSeries>) {
    for (const s of series) {
      const list = this.byMetric.get(s.metric) ?? [];
      list.push(s);
      this.byMetric.set(s.metric, list);
    }
  }

  select(metric: string, matchers: readonly Matcher[]): RawSeries[] {
    const key = JSON.stringify([metric, matchers]);
    let selected = this.selections.get(key);
    if (!selected) {
      selected = (this.byMetric.get(metric) ?? []).filter((s) => matchers.every((m) => matches(s.labels[m.label] ?? '', m)));
      if (this.selections.size >= MAX_REMEMBERED_SELECTIONS) this.selections.clear();
      this.selections.set(key, selected);
    }
    return selected;
  }
}

const MAX_REMEMBERED_SELECTIONS = 512;

export function evaluateAt(expr: Expr, index: SeriesIndex, tMs: number): Sample[] {
  switch (expr.op) {
    case 'select':
      return index.select(expr.metric, expr.matchers).flatMap((s) => {
        const i = lastIndexAtOrBefore(s.times, tMs);
        if (i < 0 || tMs - s.times[i]! > LOOKBACK_MS || !Number.isFinite(s.values[i]!)) return [];
        return [{ labels: { __name__: s.metric, ...s.labels }, value: s.values[i]! }];
      });
    case 'rate':
    case 'increase':
      return index.select(expr.metric, expr.matchers).flatMap((s) => {
        const perSecond = counterRate(s, tMs - expr.windowSeconds * 1000, tMs);
        if (perSecond === undefined) return [];
        return [{ labels: { ...s.labels }, value: expr.op === 'rate' ? perSecond : perSecond * expr.windowSeconds }];
      });
    case 'sum':
    case 'max':
      return aggregate(evaluateAt(expr.expr, index, tMs), expr.by, expr.op);
    case 'ratio': {
      const denominators = new Map(evaluateAt(expr.denominator, index, tMs).map((s) => [labelsKey(pick(s.labels, expr.on)), s.value]));
      return evaluateAt(expr.numerator, index, tMs).flatMap((s) => {
        const labels = pick(s.labels, expr.on);
        const d = denominators.get(labelsKey(labels));
        return d === undefined ? [] : [{ labels, value: s.value / d }];
      });
    }
    case 'histogram_quantile':
      return histogramQuantile(expr.quantile, evaluateAt(expr.expr, index, tMs));
  }
}

function matches(value: string, m: Matcher): boolean {
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  // Catalog regexes are constants of this code base, anchored like PromQL's.
  // eslint-disable-next-line security/detect-non-literal-regexp
  return new RegExp(`^(?:${m.value})$`).test(value);
}

function lastIndexAtOrBefore(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Per-second increase over (from, to], counting a drop as a counter reset. */
function counterRate(s: RawSeries, from: number, to: number): number | undefined {
  const last = lastIndexAtOrBefore(s.times, to);
  let first = lastIndexAtOrBefore(s.times, from) + 1;
  while (first <= last && !Number.isFinite(s.values[first]!)) first++;
  if (last - first < 1) return undefined;
  let increase = 0;
  let previous = s.values[first]!;
  for (let i = first + 1; i <= last; i++) {
    const v = s.values[i]!;
    if (!Number.isFinite(v)) continue;
    increase += v >= previous ? v - previous : v;
    previous = v;
  }
  const seconds = (s.times[last]! - s.times[first]!) / 1000;
  return seconds > 0 ? increase / seconds : undefined;
}

function pick(labels: Labels, keep: readonly string[]): Labels {
  const out: Labels = {};
  for (const k of keep) if (labels[k] !== undefined && labels[k] !== '') out[k] = labels[k]!;
  return out;
}

function aggregate(samples: Sample[], by: readonly string[], op: 'sum' | 'max'): Sample[] {
  const groups = new Map<string, Sample>();
  for (const s of samples) {
    const labels = pick(s.labels, by);
    const key = labelsKey(labels);
    const g = groups.get(key);
    if (!g) groups.set(key, { labels, value: s.value });
    else g.value = op === 'sum' ? g.value + s.value : Math.max(g.value, s.value);
  }
  return [...groups.values()];
}

function histogramQuantile(q: number, buckets: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
  for (const b of buckets) {
    const le = Number(b.labels.le === '+Inf' ? Infinity : b.labels.le);
    if (Number.isNaN(le)) continue;
    const { le: _le, ...rest } = b.labels;
    const key = labelsKey(rest);
    const g = groups.get(key) ?? { labels: rest, buckets: [] };
    g.buckets.push({ le, count: b.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

/** Prometheus's bucketQuantile: linear interpolation within the bucket holding the rank. */
export function bucketQuantile(q: number, input: { le: number; count: number }[]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets.at(-1)!.le !== Infinity) return NaN;
  for (let i = 1; i < buckets.length; i++) buckets[i]!.count = Math.max(buckets[i]!.count, buckets[i - 1]!.count); // monotonic
  const total = buckets.at(-1)!.count;
  if (total === 0) return NaN;
  const rank = q * total;
  let b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  let countBefore = 0;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    countBefore = buckets[b - 1]!.count;
  } else b = 0;
  const inBucket = buckets[b]!.count - countBefore;
  return inBucket === 0 ? buckets[b]!.le : start + (buckets[b]!.le - start) * ((rank - countBefore) / inBucket);
}
