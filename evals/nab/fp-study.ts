/**
 * Where the false positives come from: per file and profile, the scored rows detected outside every
 * label window at the in-sample threshold, clustered into episodes (FP rows at most `gap` rows apart are
 * one episode), and split by mechanism — early in the file (warm-up), shortly after a labelled window
 * (re-learning after an anomaly) or elsewhere. Evidence for which detector mechanism to fix; it changes
 * no score.
 */
import { probationRows, rowValues, type Profile, type Window } from './scorer.js';
import type { CategorisedFile } from './cv.js';

export interface StudyFile extends CategorisedFile {
  /** The file's timestamps, one per row, to show where episodes start (row numbers otherwise). */
  timestamps?: readonly string[];
}

export interface Episode {
  startRow: number;
  endRow: number;
  startTime: string;
  /** Rows from the first to the last FP row of the episode. */
  length: number;
  fpRows: number;
  maxScore: number;
  /** Starts within 2 window-lengths after a labelled window's end. */
  afterWindow: boolean;
}

export interface FileFp {
  path: string;
  category: string;
  rows: number;
  fpRows: number;
  /** Summed NAB cost of the FP rows (negative). */
  fpCost: number;
  /** The cost if only each episode's first row were a detection (what one alarm per episode would cost). */
  firstOfEpisodeCost: number;
  /** Scored FP rows before floor(0.15·N) (only long files have such rows: probation is capped at 750). */
  early: number;
  late: number;
  /** FP rows within 2 window-lengths after the end of the nearest preceding labelled window. */
  afterWindow: number;
  elsewhere: number;
  /** Rows in probation with score ≥ threshold: unscored by NAB, but a page in continuous monitoring. */
  probationDetections: number;
  /** FP rows by position in the file, in tenths of N. */
  deciles: number[];
  episodes: Episode[];
}

/** Whether original row `r` lies within 2 window-lengths after the end of the nearest preceding window. */
function isAfterWindow(r: number, windows: readonly Window[]): boolean {
  let prev: Window | undefined;
  for (const w of windows) if (w[1] < r && (prev === undefined || w[1] > prev[1])) prev = w;
  if (!prev) return false;
  return r - prev[1] <= 2 * (prev[1] - prev[0] + 1);
}

/** Clusters sorted row numbers: rows at most `gap` apart belong to the same episode. */
export function clusterRows(rows: readonly number[], gap: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && r - last[1] <= gap) {
      last[1] = r;
      last[2]++;
    } else out.push([r, r, 1]);
  }
  return out;
}

export function fileFalsePositives(file: StudyFile, threshold: number, profile: Profile, gap: number): FileFp {
  const n = file.scores.length;
  const rv = rowValues(n, file.windows, profile);
  const rows: number[] = [];
  const cost = new Map<number, number>();
  for (let i = 0; i < rv.value.length; i++) {
    const r = i + rv.first;
    if (!(file.scores[r]! >= threshold) || rv.windowOf[i]! >= 0) continue;
    rows.push(r);
    cost.set(r, rv.value[i]!);
  }
  let probationDetections = 0;
  for (let r = 0; r < probationRows(n); r++) if (file.scores[r]! >= threshold) probationDetections++;
  const earlyEnd = Math.floor(0.15 * n);
  const deciles = new Array<number>(10).fill(0);
  let early = 0;
  let afterWindow = 0;
  let fpCost = 0;
  for (const r of rows) {
    if (r < earlyEnd) early++;
    if (isAfterWindow(r, file.windows)) afterWindow++;
    deciles[Math.min(9, Math.floor((10 * r) / n))]!++;
    fpCost += cost.get(r)!;
  }
  const episodes: Episode[] = clusterRows(rows, gap).map(([s, e, count]) => {
    let maxScore = Number.NEGATIVE_INFINITY;
    for (let r = s; r <= e; r++) if (file.scores[r]! > maxScore) maxScore = file.scores[r]!;
    return {
      startRow: s,
      endRow: e,
      startTime: file.timestamps?.[s] ?? `row ${s}`,
      length: e - s + 1,
      fpRows: count,
      maxScore,
      afterWindow: isAfterWindow(s, file.windows),
    };
  });
  return {
    path: file.name,
    category: file.category,
    rows: n,
    fpRows: rows.length,
    fpCost,
    firstOfEpisodeCost: episodes.reduce((s, ep) => s + cost.get(ep.startRow)!, 0),
    early,
    late: rows.length - early,
    afterWindow,
    elsewhere: rows.length - afterWindow,
    probationDetections,
    deciles,
    episodes,
  };
}

export interface ProfileFp {
  profile: string;
  threshold: number;
  files: FileFp[];
}

/** The study for one profile at its in-sample threshold. */
export function profileFalsePositives(files: readonly StudyFile[], threshold: number, profile: Profile, gap: number): ProfileFp {
  return { profile: profile.name, threshold, files: files.map((f) => fileFalsePositives(f, threshold, profile, gap)) };
}

type Totals = Omit<FileFp, 'path' | 'category' | 'rows' | 'episodes'> & { episodes: number };

export function totals(files: readonly FileFp[]): Totals {
  const t: Totals = {
    fpRows: 0,
    fpCost: 0,
    firstOfEpisodeCost: 0,
    early: 0,
    late: 0,
    afterWindow: 0,
    elsewhere: 0,
    probationDetections: 0,
    deciles: new Array<number>(10).fill(0),
    episodes: 0,
  };
  for (const f of files) {
    t.fpRows += f.fpRows;
    t.fpCost += f.fpCost;
    t.firstOfEpisodeCost += f.firstOfEpisodeCost;
    t.early += f.early;
    t.late += f.late;
    t.afterWindow += f.afterWindow;
    t.elsewhere += f.elsewhere;
    t.probationDetections += f.probationDetections;
    f.deciles.forEach((d, i) => (t.deciles[i]! += d));
    t.episodes += f.episodes.length;
  }
  return t;
}

export function fpMarkdown(detector: string, study: readonly ProfileFp[], gap: number, top = 15): string {
  const byName = new Map(study.map((p) => [p.profile, p]));
  const std = study[0]!;
  const lines = [
    `# NAB false-positive study: detector \`${detector}\``,
    '',
    `False positives (FP) = scored rows outside every label window with score ≥ the profile's in-sample threshold.`,
    `Episode = FP rows at most ${gap} rows apart. Early = scored rows before 15 % of the file (only files longer`,
    `than 5,000 rows have any: probation is min(15 %, 750 rows)). After a window = within 2 window-lengths after`,
    `the end of the nearest preceding labelled window (NAB charges little there). Probation detections are not`,
    `scored by NAB but would page in continuous monitoring. "Cost if 1 per episode" = the FP cost if only the`,
    `first row of each episode were a detection (an estimate of what post-detection suppression could save).`,
    '',
    '| profile | threshold | FP rows | episodes | FP cost | cost if 1 per episode | early / later | after a window / elsewhere | probation detections |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...study.map((p) => {
      const t = totals(p.files);
      return `| ${p.profile} | ${p.threshold.toFixed(4)} | ${t.fpRows} | ${t.episodes} | ${t.fpCost.toFixed(2)} | ${t.firstOfEpisodeCost.toFixed(2)} | ${t.early} / ${t.late} | ${t.afterWindow} / ${t.elsewhere} | ${t.probationDetections} |`;
    }),
    '',
    `FP rows by position in the file (tenths of N; ${std.profile}): ${totals(std.files).deciles.join(' · ')}`,
    '',
    `## By category (${std.profile})`,
    '',
    '| category | files | FP rows | episodes | FP cost | cost if 1 per episode | early / later | after a window / elsewhere | probation detections |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...[...new Set(std.files.map((f) => f.category))].sort().map((c) => {
      const fs = std.files.filter((f) => f.category === c);
      const t = totals(fs);
      return `| ${c} | ${fs.length} | ${t.fpRows} | ${t.episodes} | ${t.fpCost.toFixed(2)} | ${t.firstOfEpisodeCost.toFixed(2)} | ${t.early} / ${t.late} | ${t.afterWindow} / ${t.elsewhere} | ${t.probationDetections} |`;
    }),
    '',
    `## Top ${top} files by FP rows (${std.profile}), FP rows per profile`,
    '',
    `| file | rows | ${study.map((p) => p.profile).join(' | ')} | episodes (${std.profile}) | early / later | after a window / elsewhere |`,
    `|---|---:|${study.map(() => '---:|').join('')}---:|---:|---:|`,
  ];
  const ranked = [...std.files].sort((a, b) => b.fpRows - a.fpRows || a.path.localeCompare(b.path)).slice(0, top);
  for (const f of ranked) {
    const counts = study.map((p) => byName.get(p.profile)!.files.find((g) => g.path === f.path)!.fpRows);
    lines.push(
      `| ${f.path} | ${f.rows} | ${counts.join(' | ')} | ${f.episodes.length} | ${f.early} / ${f.late} | ${f.afterWindow} / ${f.elsewhere} |`,
    );
  }
  lines.push('', `## Episodes of those files (${std.profile})`, '');
  for (const f of ranked) {
    if (f.episodes.length === 0) continue;
    lines.push(`### ${f.path} (${f.fpRows} FP rows, ${f.episodes.length} episodes)`, '');
    lines.push('| start | rows | length | FP rows | max score | after a window |', '|---|---:|---:|---:|---:|---|');
    for (const e of f.episodes) {
      lines.push(
        `| ${e.startTime} | ${e.startRow}–${e.endRow} | ${e.length} | ${e.fpRows} | ${e.maxScore.toFixed(3)} | ${e.afterWindow ? 'yes' : ''} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
