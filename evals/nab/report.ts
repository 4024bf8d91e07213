/**
 * Builds the NAB report from scored files: per profile the global threshold and normalised score, and
 * per category the score at that same threshold (windows-less categories get their raw score only).
 */
import { halfSplits, leaveOneCategoryOut, type LocoResult, type SplitResult } from './cv.js';
import { bestThreshold, normalise, PROFILES, rawFileScore, rowValues, type Profile, type ScoredFile } from './scorer.js';

export interface CategoryRow {
  category: string;
  files: number;
  windows: number;
  /** Per profile: normalised score (null for a category without windows) and raw score. */
  scores: Record<string, { score: number | null; raw: number; detections: number; falsePositives: number }>;
}

export interface NabReport {
  detector: string;
  dataDir: string;
  files: number;
  rows: number;
  windows: number;
  seconds: number;
  profiles: Record<string, { threshold: number; raw: number; score: number }>;
  categories: CategoryRow[];
  perFile: { path: string; windows: number; raw: Record<string, number> }[];
  /** Held-out scores per profile: leave-one-category-out and repeated stratified half-splits. */
  cv: Record<string, { loco: LocoResult; halfSplit: SplitResult; ownThreshold: SplitResult }>;
}

export interface CvOptions {
  splits: number;
  seed: number;
}

export const DEFAULT_CV: CvOptions = { splits: 20, seed: 1 };

export function buildReport(
  files: (ScoredFile & { category: string })[],
  detector: string,
  dataDir: string,
  seconds: number,
  cvOptions: CvOptions = DEFAULT_CV,
): NabReport {
  const profiles: NabReport['profiles'] = {};
  const categories = new Map<string, CategoryRow>();
  const perFile = files.map((f) => ({ path: f.name, windows: f.windows.length, raw: {} as Record<string, number> }));
  for (const profile of PROFILES) {
    const { threshold } = bestThreshold(files, profile);
    let raw = 0;
    files.forEach((f, i) => {
      const r = rawFileScore(f, threshold, profile);
      raw += r;
      perFile[i]!.raw[profile.name] = r;
      const row = categories.get(f.category) ?? { category: f.category, files: 0, windows: 0, scores: {} };
      if (profile === PROFILES[0]) {
        row.files++;
        row.windows += f.windows.length;
      }
      const s = (row.scores[profile.name] ??= { score: null, raw: 0, detections: 0, falsePositives: 0 });
      const counts = countDetections(f, threshold, profile);
      s.raw += r;
      s.detections += counts.detections;
      s.falsePositives += counts.falsePositives;
      categories.set(f.category, row);
    });
    const windows = files.reduce((n, f) => n + f.windows.length, 0);
    profiles[profile.name] = { threshold, raw, score: normalise(raw, windows, profile).score };
  }
  for (const row of categories.values()) {
    for (const profile of PROFILES) {
      const s = row.scores[profile.name]!;
      s.score = row.windows > 0 ? normalise(s.raw, row.windows, profile).score : null;
    }
  }
  const cv: NabReport['cv'] = {};
  for (const profile of PROFILES) {
    cv[profile.name] = {
      loco: leaveOneCategoryOut(files, profile),
      halfSplit: halfSplits(files, profile, cvOptions.splits, cvOptions.seed),
      ownThreshold: halfSplits(files, profile, cvOptions.splits, cvOptions.seed, 'own'),
    };
  }
  return {
    detector,
    dataDir,
    files: files.length,
    rows: files.reduce((n, f) => n + f.scores.length, 0),
    windows: files.reduce((n, f) => n + f.windows.length, 0),
    seconds,
    profiles,
    categories: [...categories.values()],
    perFile,
    cv,
  };
}

function countDetections(f: ScoredFile, threshold: number, profile: Profile): { detections: number; falsePositives: number } {
  const rv = rowValues(f.scores.length, f.windows, profile);
  let detections = 0;
  let falsePositives = 0;
  for (let i = 0; i < rv.value.length; i++) {
    if (!(f.scores[i + rv.first]! >= threshold)) continue;
    detections++;
    if (rv.windowOf[i]! < 0) falsePositives++;
  }
  return { detections, falsePositives };
}

export function reportMarkdown(r: NabReport): string {
  const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(1));
  const lines = [
    `# NAB evaluation: detector \`${r.detector}\``,
    '',
    `${r.files} files, ${r.rows} rows, ${r.windows} windows, ${r.seconds.toFixed(1)} s. Data: ${r.dataDir}`,
    '',
    '| profile | score | threshold | raw |',
    '|---|---:|---:|---:|',
    ...Object.entries(r.profiles).map(([n, p]) => `| ${n} | ${p.score.toFixed(1)} | ${p.threshold.toFixed(4)} | ${p.raw.toFixed(2)} |`),
    '',
    '| category | files | windows | standard | low FP | low FN | detections | FP (standard) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.categories.map((c) => {
      const s = c.scores;
      const st = s.standard!;
      return `| ${c.category} | ${c.files} | ${c.windows} | ${fmt(st.score)} | ${fmt(s.reward_low_FP_rate!.score)} | ${fmt(s.reward_low_FN_rate!.score)} | ${st.detections} | ${st.falsePositives} |`;
    }),
    '',
    "Category scores use the run's global threshold; a category without windows shows only its detection counts.",
    '',
    ...cvMarkdown(r),
  ];
  return lines.join('\n');
}

function cvMarkdown(r: NabReport): string[] {
  const names = Object.keys(r.cv);
  if (names.length === 0) return [];
  const first = r.cv[names[0]!]!;
  const sign = (x: number): string => (x >= 0 ? `+${x.toFixed(2)}` : x.toFixed(2));
  return [
    '## Cross-validated scores',
    '',
    'In-sample: threshold chosen on the scored files. LOCO: each category scored at the threshold chosen on the other',
    'categories, held-out raw scores summed and normalised once. Half-split: threshold chosen on a random half (stratified',
    `by category), the other half scored; ${first.halfSplit.splits} splits, seed ${first.halfSplit.seed}. Own threshold: the same`,
    "test halves, each at its own best threshold (the held-back half's protocol: only the configuration carries over).",
    '',
    '| profile | in-sample | LOCO | half-split mean ± sd | min | max | own threshold mean ± sd | min | max |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...names.map((n) => {
      const c = r.cv[n]!;
      const h = c.halfSplit;
      const o = c.ownThreshold;
      return `| ${n} | ${r.profiles[n]!.score.toFixed(1)} | ${c.loco.score.toFixed(1)} | ${h.mean.toFixed(1)} ± ${h.sd.toFixed(1)} | ${h.min.toFixed(1)} | ${h.max.toFixed(1)} | ${o.mean.toFixed(1)} ± ${o.sd.toFixed(1)} | ${o.min.toFixed(1)} | ${o.max.toFixed(1)} |`;
    }),
    '',
    'Leave-one-category-out per held-out category: normalised score (threshold chosen on the others); a category',
    'without windows shows its raw score (its false-positive cost).',
    '',
    `| category | ${names.join(' | ')} | ${names.map((n) => `threshold (${n})`).join(' | ')} |`,
    `|---|${names.map(() => '---:|').join('')}${names.map(() => '---:|').join('')}`,
    ...first.loco.categories.map((c, i) => {
      const cells = names.map((n) => {
        const row = r.cv[n]!.loco.categories[i]!;
        return row.score === null ? `raw ${sign(row.raw)}` : row.score.toFixed(1);
      });
      const thresholds = names.map((n) => r.cv[n]!.loco.categories[i]!.threshold.toFixed(4));
      return `| ${c.category} | ${cells.join(' | ')} | ${thresholds.join(' | ')} |`;
    }),
    '',
  ];
}
