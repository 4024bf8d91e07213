/**
 * Reading and writing the `timestamp,value[,anomaly_score]` CSV files used by the NAB data set,
 * the anomaly CLI and the forecast backtest. Pure string <-> array conversion; callers do the I/O.
 */

/** One univariate series in file order. Row position, not timestamp, identifies a row (NAB repeats some). */
export interface CsvSeries {
  timestamps: string[];
  /** Unix milliseconds per row (NaN when the timestamp cannot be parsed). */
  times: Float64Array;
  values: Float64Array;
}

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]`, ISO 8601 or Unix seconds as UTC milliseconds. */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^[\d.]+$/.test(t) && Number.isFinite(Number(t))) return Number(t) * 1000;
  const iso = t.includes('T') ? t : t.replace(' ', 'T');
  const withZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  return Date.parse(withZone);
}

/** Parses a CSV with a header whose first two columns are timestamp and value. Blank lines are ignored. */
export function parseSeriesCsv(text: string): CsvSeries {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase();
  if (!header.startsWith('timestamp,value')) {
    throw new Error(`expected a header "timestamp,value", found "${header.slice(0, 60)}"`);
  }
  const timestamps: string[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new Error(`line ${i + 1}: expected "timestamp,value"`);
    const rest = line.slice(comma + 1);
    const next = rest.indexOf(',');
    timestamps.push(line.slice(0, comma));
    const raw = (next < 0 ? rest : rest.slice(0, next)).trim();
    values.push(raw === '' ? Number.NaN : Number(raw));
  }
  const times = new Float64Array(timestamps.length);
  timestamps.forEach((ts, i) => (times[i] = parseTimestamp(ts)));
  return { timestamps, times, values: Float64Array.from(values) };
}

/** Formats `timestamp,value,anomaly_score` rows, one per input row, in input order. */
export function formatScoredCsv(series: CsvSeries, scores: ArrayLike<number>): string {
  if (scores.length !== series.values.length) {
    throw new Error(`got ${scores.length} scores for ${series.values.length} rows`);
  }
  const out: string[] = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < series.values.length; i++) {
    out.push(`${series.timestamps[i]},${formatNumber(series.values[i]!)},${formatNumber(scores[i]!)}`);
  }
  return `${out.join('\n')}\n`;
}

function formatNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}
