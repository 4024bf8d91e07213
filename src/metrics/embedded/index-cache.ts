/**
 * The embedded source's generated series, kept per workspace for the current anchor so that repeated
 * queries evaluate instead of regenerating (the analysis graph sends dozens of queries per run).
 *
 * Bounded three ways: generation never starts before the retention floor (older data is absent, as
 * in a Prometheus with that retention); an index covers what was asked in whole 6 h, and extending it
 * at least doubles its span, so a workspace is regenerated at most a handful of times per anchor
 * whatever the queries (6 h, 12 h, 1 d, 2 d, 4 d, 8 d, 16 d for ever-older ones); and the
 * cache holds at most `maxBytes` of samples, least recently used workspaces going first.
 *
 * Sharing one index between queries keeps answers consistent: every generation of an anchor ends at
 * the anchor, and windows sharing the end agree (src/metrics/scenarios/README.md): the same gauge
 * samples and the same counter increments, hence the same catalog answers (the catalog reads counters
 * only through rate/increase), whether a query meets a fresh index or a longer cached one.
 */
import { generateSeries, type WorkspaceScenario } from '../scenarios/index.js';
import { SeriesIndex } from './evaluate.js';

const MIN_SPAN_MS = 6 * 3_600_000;

interface Entry {
  anchorMs: number;
  fromMs: number;
  bytes: number;
  index: SeriesIndex;
}

export interface IndexRequest {
  scenario: WorkspaceScenario;
  /** The earliest sample the query needs. */
  fromMs: number;
  /** Where the scenario's incidents are anchored; generation always ends here. */
  anchorMs: number;
  /** No sample before this (the retention floor). */
  floorMs: number;
  stepMs: number;
}

export class GeneratedIndexCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Generations so far (tests and the benchmark show what the cache saves). */
  generations = 0;

  constructor(private readonly maxBytes: number) {}

  /** The index of the scenario from (at most) `fromMs` up to the anchor. */
  get(r: IndexRequest): SeriesIndex {
    const key = r.scenario.workspaceId;
    const floorMs = Math.ceil(r.floorMs / r.stepMs) * r.stepMs;
    const neededMs = Math.max(r.fromMs, floorMs);
    const cached = this.entries.get(key);
    if (cached && cached.anchorMs === r.anchorMs && cached.fromMs <= neededMs) {
      this.entries.delete(key);
      this.entries.set(key, cached); // most recently used last
      return cached.index;
    }
    // What is needed, in whole 6 h; when extending this anchor's index, at least twice its span.
    const needed = Math.ceil((r.anchorMs - neededMs) / MIN_SPAN_MS) * MIN_SPAN_MS;
    const span = Math.max(MIN_SPAN_MS, needed, cached?.anchorMs === r.anchorMs ? 2 * (r.anchorMs - cached.fromMs) : 0);
    const fromMs = Math.max(floorMs, Math.floor((r.anchorMs - span) / r.stepMs) * r.stepMs);
    const series = generateSeries(r.scenario, { startMs: fromMs, endMs: r.anchorMs, stepMs: r.stepMs }).filter((s) => s.times.length > 0);
    this.generations++;
    const index = new SeriesIndex(series);
    // Values plus (shared, so counted once per sample instant) times: what the index keeps alive.
    const bytes = series.reduce((sum, s) => sum + s.values.byteLength, 0) + ((r.anchorMs - fromMs) / r.stepMs + 1) * 8;
    this.store(key, { anchorMs: r.anchorMs, fromMs, bytes, index });
    return index;
  }

  private store(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    if (entry.bytes > this.maxBytes) return; // used once, never kept
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
