/**
 * Log item 23 (issue 15): variants of the default detector judged by cross-validation only.
 * npx tsx evals/nab/exp/exp23.ts --data <dir> [--diag] [--loco] [--nobase] <group> …  (groups: see GROUPS)
 * Each variant is scored on all files once; the table gives in-sample / LOCO / split mean for standard and
 * low-FP, the paired split difference to the baseline (mean ± se, wins of 20), and, for a group, the LOCO and
 * split scores when `locoSelect` / `halfSplitSelect` choose the variant on the training folds.
 * --diag prints L = −log10 p (score s ↦ 4s/(1 − s)) of the best row in each window and of the FP rows at the
 * standard in-sample threshold, by category, and the rate of rows outside windows at L ≥ 2 … 4.
 * --loco prints each LOCO fold's threshold and held-out score; --nobase leaves the baseline out of the selection
 * (the mechanism adopted, only its constant chosen on the training folds).
 */
import { parseArgs } from 'node:util';
import { DefaultDetector } from '../../../src/analytics/anomaly/default-detector.js';
import { DEFAULT_OPTIONS } from '../../../src/analytics/anomaly/types.js';
import { halfSplitSelect, locoSelect, summary, type CategorisedFile } from '../cv.js';
import { scoreNabFiles } from '../run.js';
import { bestThreshold, normalise, PROFILES, rowValues } from '../scorer.js';
import { BASELINE_SWITCHES, SwitchableDetector, type ExpSwitches } from './switchable-detector.js';

type Variant = [string, Partial<ExpSwitches>];
const GROUPS: Record<string, Variant[]> = {
  xi: [
    ['xi 0.3', { xiMax: 0.3 }],
    ['xi 0.15', { xiMax: 0.15 }],
    ['xi 0 (exp)', { xiMax: 0 }],
  ],
  poolxi: [
    ['pool 0.5', { pool: 0.5 }],
    ['pool 0.5 xi 0.3', { pool: 0.5, xiMax: 0.3 }],
    ['pool 0.5 xi 0.15', { pool: 0.5, xiMax: 0.15 }],
    ['pool 0.5 xi 0', { pool: 0.5, xiMax: 0 }],
  ],
  mag: [
    ['mag member', { mag: 'member' }],
    ['pool 0.5 mag member', { pool: 0.5, mag: 'member' }],
    ['pool 0.5 lift c3', { pool: 0.5, mag: 'lift', magC: 3 }],
    ['pool 0.5 lift c5', { pool: 0.5, mag: 'lift', magC: 5 }],
    ['pool 0.5 lift c8', { pool: 0.5, mag: 'lift', magC: 8 }],
    ['pool 0.5 lift c5 k2', { pool: 0.5, mag: 'lift', magC: 5, magK: 2 }],
  ],
  win2: [
    ['pool 0.5 win 3', { pool: 0.5, win: 3 }],
    ['pool 0.5 win 4', { pool: 0.5, win: 4 }],
    ['pool 0.5 win 6', { pool: 0.5, win: 6 }],
    ['pool 0.5 win 8', { pool: 0.5, win: 8 }],
    ['win 4', { win: 4 }],
  ],
  grid: [
    ['pool 0.25', { pool: 0.25 }],
    ['pool 0.15 win 6', { pool: 0.15, win: 6 }],
    ['pool 0.25 win 6', { pool: 0.25, win: 6 }],
    ['pool 0.35 win 6', { pool: 0.35, win: 6 }],
    ['pool 0.5 win 6 lift c3', { pool: 0.5, win: 6, mag: 'lift', magC: 3 }],
  ],
  one: [['pool 0.5 win 6', { pool: 0.5, win: 6 }]],
  age: [
    ['age k 0.5', { ageK: 0.5 }],
    ['age k 1', { ageK: 1 }],
    ['pool 0.5 win 6 age k 0.5', { pool: 0.5, win: 6, ageK: 0.5 }],
    ['pool 0.5 win 6 age k 1', { pool: 0.5, win: 6, ageK: 1 }],
    ['win 6 age k 0.5', { win: 6, ageK: 0.5 }],
    ['win 6 age k 1', { win: 6, ageK: 1 }],
  ],
  agek: [
    ['age k 0.25', { ageK: 0.25 }],
    ['age k 0.5', { ageK: 0.5 }],
    ['age k 0.75', { ageK: 0.75 }],
    ['age k 1', { ageK: 1 }],
  ],
  aget0: [
    ['age k 0.5 t0 300', { ageK: 0.5, ageT0: 300 }],
    ['age k 0.5 t0 3000', { ageK: 0.5, ageT0: 3000 }],
    ['age k 0.25 t0 300', { ageK: 0.25, ageT0: 300 }],
    ['age k 0.25 t0 3000', { ageK: 0.25, ageT0: 3000 }],
    ['age k 1 t0 300', { ageK: 1, ageT0: 300 }],
    ['age k 1 t0 3000', { ageK: 1, ageT0: 3000 }],
  ],
  k1: [
    ['age k 1 t0 1', { ageK: 1, ageT0: 1 }],
    ['age k 1 t0 300', { ageK: 1, ageT0: 300 }],
    ['age k 1 t0 1000', { ageK: 1, ageT0: 1000 }],
    ['age k 1 t0 3000', { ageK: 1, ageT0: 3000 }],
    ['age k 1 t0 8000', { ageK: 1, ageT0: 8000 }],
  ],
  cnt: [
    ['count k 0.5 c0 3', { cntK: 0.5, cntC0: 3 }],
    ['count k 0.5 c0 10', { cntK: 0.5, cntC0: 10 }],
    ['count k 1 c0 3', { cntK: 1, cntC0: 3 }],
    ['count k 1 c0 10', { cntK: 1, cntC0: 10 }],
  ],
  combo: [
    ['win 6 count k 1 c0 10', { win: 6, cntK: 1, cntC0: 10 }],
    ['win 6 age k 1 t0 3000', { win: 6, ageK: 1, ageT0: 3000 }],
    ['pool 0.5 win 6 count k 1 c0 10', { pool: 0.5, win: 6, cntK: 1, cntC0: 10 }],
  ],
  win: [
    ['win 6', { win: 6 }],
    ['win 12', { win: 12 }],
    ['pool 0.5 win 6', { pool: 0.5, win: 6 }],
    ['pool 0.5 win 12', { pool: 0.5, win: 12 }],
  ],
};

const SPLITS = 20;
const SEED = 1;
let showLoco = false;
const MAIN = [PROFILES[0]!, PROFILES[1]!];

function lOf(s: number): number {
  return s > 0 ? (4 * s) / (1 - s) : 0;
}

function q(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

function diag(label: string, files: CategorisedFile[]): void {
  const profile = PROFILES[0]!;
  const { threshold } = bestThreshold(files, profile);
  const byCat = new Map<string, { win: number[]; fp: number[] }>();
  for (const f of files) {
    const rv = rowValues(f.scores.length, f.windows, profile);
    const c = byCat.get(f.category) ?? { win: [], fp: [] };
    const best = new Float64Array(rv.windows.length);
    for (let i = 0; i < rv.value.length; i++) {
      const s = f.scores[i + rv.first]!;
      const w = rv.windowOf[i]!;
      if (w >= 0) best[w] = Math.max(best[w]!, s);
      else if (s >= threshold) c.fp.push(lOf(s));
    }
    for (const b of best) c.win.push(lOf(b));
    byCat.set(f.category, c);
  }
  const fmt = (xs: number[]): string =>
    xs.length === 0
      ? '–'
      : `n ${xs.length} q10 ${q(xs, 0.1).toFixed(2)} med ${q(xs, 0.5).toFixed(2)} q90 ${q(xs, 0.9).toFixed(2)} max ${Math.max(...xs).toFixed(2)}`;
  console.log(`  diag ${label}: standard threshold ${threshold.toFixed(4)} (L ${lOf(threshold).toFixed(2)})`);
  const allWin: number[] = [];
  const allFp: number[] = [];
  for (const [cat, c] of [...byCat.entries()].sort()) {
    allWin.push(...c.win);
    allFp.push(...c.fp);
    console.log(`    ${cat.padEnd(22)} window best L: ${c.win.map((x) => x.toFixed(1)).join(' ')} | FP L: ${fmt(c.fp)}`);
  }
  // Rate of rows outside windows (scored) at L ≥ x, per category: a calibrated score would give equal rates.
  const levels = [2, 2.5, 3, 3.5, 4];
  const rates = new Map<string, { n: number; c: number[] }>();
  for (const f of files) {
    const rv = rowValues(f.scores.length, f.windows, profile);
    const r = rates.get(f.category) ?? { n: 0, c: levels.map(() => 0) };
    for (let i = 0; i < rv.value.length; i++) {
      if (rv.windowOf[i]! >= 0) continue;
      r.n++;
      const l = lOf(f.scores[i + rv.first]!);
      levels.forEach((x, k) => {
        if (l >= x) r.c[k]!++;
      });
    }
    rates.set(f.category, r);
  }
  for (const [cat, r] of [...rates.entries()].sort())
    console.log(
      `    rate per 1000 rows outside windows at L ≥ ${levels.join('/')}: ${cat.padEnd(22)} ${r.c.map((c) => ((1000 * c) / r.n).toFixed(2)).join(' / ')} (${r.n} rows)`,
    );
  console.log(`    all windows best L: ${fmt(allWin)} | FP L: ${fmt(allFp)}`);
}

async function score(data: string, x: ExpSwitches | null): Promise<CategorisedFile[]> {
  return scoreNabFiles({
    data,
    detector: 'exp',
    factory: () => (x === null ? new DefaultDetector(DEFAULT_OPTIONS) : new SwitchableDetector(DEFAULT_OPTIONS, x)),
  });
}

function row(label: string, files: CategorisedFile[], base: CategorisedFile[]): string {
  const parts = MAIN.map((p) => {
    const t = bestThreshold(files, p);
    const ins = normalise(t.raw, t.windows, p).score;
    const loco = locoSelect([files], p).score;
    const sp = halfSplitSelect([files], p, SPLITS, SEED);
    const spBase = halfSplitSelect([base], p, SPLITS, SEED);
    const d = sp.scores.map((s, i) => s - spBase.scores[i]!);
    const sd = summary(d);
    const wins = d.filter((x) => x > 1e-9).length;
    if (showLoco) {
      const l = locoSelect([files], p);
      console.log(
        `    LOCO ${p.name}: ${l.categories.map((c) => `${c.category.replace(/^(real|artificial)/, '')} ${c.threshold.toFixed(3)} ${c.score === null ? c.raw.toFixed(2) : c.score.toFixed(1)}`).join(', ')}`,
      );
    }
    return `${ins.toFixed(1)} / ${loco.toFixed(1)} / ${sp.mean.toFixed(1)} (paired ${sd.mean >= 0 ? '+' : ''}${sd.mean.toFixed(1)} ± ${(sd.sd / Math.sqrt(d.length)).toFixed(1)}, ${wins} wins)`;
  });
  return `| ${label} | ${parts.join(' | ')} |`;
}

function fpCount(files: CategorisedFile[]): string {
  const p = PROFILES[0]!;
  const { threshold } = bestThreshold(files, p);
  const per = new Map<string, number>();
  for (const f of files) {
    const rv = rowValues(f.scores.length, f.windows, p);
    let n = 0;
    for (let i = 0; i < rv.value.length; i++) if (f.scores[i + rv.first]! >= threshold && rv.windowOf[i]! < 0) n++;
    per.set(f.category, (per.get(f.category) ?? 0) + n);
  }
  return [...per.entries()].map(([c, n]) => `${c.replace(/^(real|artificial)/, '')} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      data: { type: 'string', default: '/work/shared/datasets/nab-dev' },
      diag: { type: 'boolean', default: false },
      loco: { type: 'boolean', default: false },
      nobase: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const data = values.data;
  showLoco = values.loco;
  const base = await score(data, null);
  const check = await score(data, BASELINE_SWITCHES);
  const same = check.every(
    (f, i) => f.scores.length === base[i]!.scores.length && Array.from(f.scores).every((s, k) => Object.is(s, base[i]!.scores[k])),
  );
  console.log(`switchable detector with all switches off equals DefaultDetector bit for bit: ${same}`);
  if (!same) process.exit(1);
  console.log('| variant | standard in / LOCO / split | low-FP in / LOCO / split |');
  console.log('|---|---|---|');
  console.log(row('baseline', base, base));
  if (values.diag) diag('baseline', base);
  for (const group of positionals) {
    const variants = GROUPS[group];
    if (!variants) throw new Error(`unknown group ${group}; choose from ${Object.keys(GROUPS).join(', ')}`);
    const scored: CategorisedFile[][] = [];
    for (const [label, sw] of variants) {
      const files = await score(data, { ...BASELINE_SWITCHES, ...sw });
      scored.push(files);
      console.log(row(label, files, base));
      console.log(`    FP rows at standard threshold: ${fpCount(files)}`);
      if (values.diag) diag(label, files);
    }
    const candidates = values.nobase ? scored : [base, ...scored];
    const sel = MAIN.map((p) => {
      const loco = locoSelect(candidates, p);
      const sp = halfSplitSelect(candidates, p, SPLITS, SEED);
      return `${p.name}: LOCO ${loco.score.toFixed(1)} (chosen per held-out category ${loco.categories.map((c) => c.candidate).join(',')}), split ${sp.mean.toFixed(1)} (chosen ${sp.chosen.join(',')})`;
    });
    console.log(`  select among ${values.nobase ? `${group} only (0 = first)` : `baseline + ${group} (0 = baseline)`}: ${sel.join('; ')}`);
  }
}

void main();
