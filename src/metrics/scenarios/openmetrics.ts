/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one `# HELP`/`# TYPE` per metric
 * family, that family's series one after another with samples in time order, and the mandatory final
 * `# EOF`. Output goes through the caller's `write` in chunks of about 64 KiB (the only I/O here).
 */
// OpenMetrics spells sample values as Prometheus's JSON does (NaN, +Inf, -Inf).
import { formatSampleValue } from '../prom-format.js';
import type { RawSeries } from './types.js';

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'unknown';
  help: string;
  series: RawSeries[];
}

const CHUNK_CHARS = 65_536;

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function stripSuffix(name: string, suffix: string): string | undefined {
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}

/**
 * The family a series belongs to. OpenMetrics names a counter family without `_total`, and puts
 * `_bucket`/`_sum`/`_count` under one histogram family; a counter with no such suffix is `unknown`.
 */
function familyOf(s: RawSeries, histogramBases: ReadonlySet<string>): Pick<Family, 'name' | 'type'> {
  if (s.type === 'gauge') return { name: s.metric, type: 'gauge' };
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = stripSuffix(s.metric, suffix);
    if (base !== undefined && histogramBases.has(base)) return { name: base, type: 'histogram' };
  }
  const counter = stripSuffix(s.metric, '_total');
  return counter !== undefined ? { name: counter, type: 'counter' } : { name: s.metric, type: 'unknown' };
}

export function writeOpenMetrics(series: Iterable<RawSeries>, write: (chunk: string) => void): void {
  const all = Array.from(series);
  const histogramBases = new Set<string>();
  for (const s of all) {
    const base = s.type === 'counter' ? stripSuffix(s.metric, '_bucket') : undefined;
    if (base !== undefined && 'le' in s.labels) histogramBases.add(base);
  }
  // Families keep the order in which they first appear; a family's series must be contiguous.
  const families = new Map<string, Family>();
  for (const s of all) {
    const { name, type } = familyOf(s, histogramBases);
    const family = families.get(name);
    if (family) family.series.push(s);
    else families.set(name, { name, type, help: s.help, series: [s] });
  }

  let buffer = '';
  const emit = (text: string): void => {
    buffer += text;
    if (buffer.length >= CHUNK_CHARS) {
      write(buffer);
      buffer = '';
    }
  };
  for (const family of families.values()) {
    emit(`# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`);
    for (const s of family.series) {
      const labelText = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const prefix = labelText === '' ? `${s.metric} ` : `${s.metric}{${labelText}} `;
      const n = Math.min(s.times.length, s.values.length);
      let previous = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const t = s.times[i]!;
        if (!(t > previous)) throw new Error(`${s.metric}${JSON.stringify(s.labels)}: samples must be strictly time-ascending`);
        previous = t;
        emit(`${prefix}${formatSampleValue(s.values[i]!)} ${t / 1000}\n`);
      }
    }
  }
  emit('# EOF\n');
  write(buffer);
}
