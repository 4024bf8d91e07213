/**
 * Loads the NAB corpus layout: data/<category>/<name>.csv plus labels/combined_windows.json, mapping
 * each label window's timestamps to row numbers (rows, not timestamps, identify points: NAB repeats
 * some timestamps, so a window starts at the first row with its start stamp and ends at the last row
 * with its end stamp).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSeriesCsv, type CsvSeries } from '../../src/analytics/series-csv.js';
import type { Window } from './scorer.js';

export interface NabFile {
  /** Path relative to data/, e.g. "realTweets/Twitter_volume_AAPL.csv". */
  path: string;
  category: string;
  series: CsvSeries;
  windows: Window[];
}

export async function listNabFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const category of (await readdir(join(dataDir, 'data'))).sort()) {
    const names = (await readdir(join(dataDir, 'data', category))).filter((n) => n.endsWith('.csv')).sort();
    for (const name of names) out.push(`${category}/${name}`);
  }
  return out;
}

export async function loadLabels(dataDir: string): Promise<Record<string, [string, string][]>> {
  const text = await readFile(join(dataDir, 'labels', 'combined_windows.json'), 'utf8');
  return JSON.parse(text) as Record<string, [string, string][]>;
}

export function windowRows(timestamps: readonly string[], windows: readonly [string, string][], path: string): Window[] {
  const key = (s: string): string => s.trim().replace(/\.0+$/, '');
  return windows.map(([start, end]) => {
    const s = timestamps.findIndex((t) => key(t) === key(start));
    let e = -1;
    for (let i = timestamps.length - 1; i >= 0 && e < 0; i--) if (key(timestamps[i]!) === key(end)) e = i;
    if (s < 0 || e < s) throw new Error(`${path}: label window ${start} .. ${end} not found in the file`);
    return [s, e] as const;
  });
}

export async function loadNabFile(dataDir: string, path: string, labels: Record<string, [string, string][]>): Promise<NabFile> {
  const series = parseSeriesCsv(await readFile(join(dataDir, 'data', path), 'utf8'));
  const category = path.split('/')[0]!;
  return { path, category, series, windows: windowRows(series.timestamps, labels[path] ?? [], path) };
}

/** The honesty-check split: the 1st, 3rd, ... file of each category ("odd") or the 2nd, 4th, ... ("even"). */
export function splitHalf(paths: readonly string[], half: 'odd' | 'even'): string[] {
  const seen = new Map<string, number>();
  return paths.filter((p) => {
    const c = p.split('/')[0]!;
    const k = seen.get(c) ?? 0;
    seen.set(c, k + 1);
    return half === 'odd' ? k % 2 === 0 : k % 2 === 1;
  });
}
