/**
 * The embedded default when PROMETHEUS_URL is unset: the catalog queries, answered in-process over
 * the scenario generator's demo workspaces, so `npm start` shows real-looking workspaces out of the
 * box. Arbitrary PromQL (and the series/label APIs) answer `needs_prometheus` — never fake data.
 *
 * The scenarios are laid out relative to an anchor: the current time rounded up to the hour, so
 * answers are consistent between requests within the hour and the demo incidents stay recent.
 *
 * Every read is bounded (read-bounds.ts) before anything is generated, data older than the lookback
 * is absent (as in a Prometheus with that retention), and the generated series are cached per
 * workspace and anchor (index-cache.ts): the work of a request no longer grows with how far back it
 * asks, and repeated queries only evaluate.
 */
import type { PromAlert } from '../../clients/prometheus.js';
import { CatalogError, resolveCatalogQuery } from '../catalog/catalog.js';
import { lookbackSeconds, renderPromQL, type Expr } from '../catalog/expr.js';
import { MetricsError } from '../metrics-error.js';
import type { MetricsQuery, MetricsSource, QueryResult, WorkspaceRef } from '../metrics-source.js';
import { formatSampleValue, labelsKey, matrixResult, vectorResult, type Labels } from '../prom-format.js';
import { enforceTenant } from '../promql/tenant-enforcer.js';
import type { RangeWindow } from '../query-window.js';
import {
  checkInstantTime,
  checkRangeWindow,
  checkSeriesCount,
  DEFAULT_READ_BOUNDS,
  responseTooLarge,
  type ReadBounds,
} from '../read-bounds.js';
import type { WorkspaceScenario } from '../scenarios/index.js';
import { evaluateAt, type SeriesIndex } from './evaluate.js';
import { GeneratedIndexCache } from './index-cache.js';

const HOUR_MS = 3_600_000;

export interface EmbeddedSourceOptions {
  workspaces: readonly WorkspaceScenario[];
  tenantLabel: string;
  /** Resolution of the generated raw series. */
  sampleStepMs?: number;
  now?: () => number;
  /** Bounds of every read; the lookback is also the demo data's retention. */
  bounds?: ReadBounds;
  /** Most bytes of generated samples kept between requests (all workspaces together). */
  cacheBytes?: number;
}

/** About the demo workspaces over a week; a larger generation is used once and not kept. */
const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;
/** JSON of one point of a matrix, beyond its two numbers: `[`, `,"`, `"]` and the separating comma. */
const POINT_OVERHEAD_BYTES = 6;
const YIELD_EVERY_STEPS = 500;

export class EmbeddedMetricsSource implements MetricsSource {
  readonly kind = 'embedded';
  private readonly byId: Map<string, WorkspaceScenario>;
  private readonly sampleStepMs: number;
  private readonly now: () => number;
  private readonly bounds: ReadBounds;
  /** Public for tests and the benchmark (generation counts). */
  readonly generated: GeneratedIndexCache;

  constructor(private readonly o: EmbeddedSourceOptions) {
    this.byId = new Map(o.workspaces.map((w) => [w.workspaceId, w]));
    this.sampleStepMs = o.sampleStepMs ?? 30_000;
    this.now = o.now ?? Date.now;
    this.bounds = o.bounds ?? DEFAULT_READ_BOUNDS;
    this.generated = new GeneratedIndexCache(o.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  async instant(ws: WorkspaceRef, query: MetricsQuery, timeSeconds: number): Promise<QueryResult> {
    checkInstantTime(timeSeconds, this.now() / 1000, this.bounds);
    const { expr, enforcedQuery } = this.resolve(ws, query);
    const index = this.index(ws, expr, timeSeconds * 1000, timeSeconds * 1000);
    const samples = index ? evaluateAt(expr, index, timeSeconds * 1000) : [];
    checkSeriesCount(samples.length, this.bounds);
    return { data: vectorResult(samples, timeSeconds), enforcedQuery, cache: 'none' };
  }

  async range(ws: WorkspaceRef, query: MetricsQuery, w: RangeWindow): Promise<QueryResult> {
    checkRangeWindow(w, this.now() / 1000, this.bounds);
    const { expr, enforcedQuery } = this.resolve(ws, query);
    const index = this.index(ws, expr, w.start * 1000, w.end * 1000);
    const series = new Map<string, { labels: Labels; points: [number, number][] }>();
    // The answer's JSON size, counted as it grows: the points and labels allowed can still add up.
    let bytes = 0;
    for (let t = w.start, n = 0; index && t <= w.end; t += w.step, n++) {
      // The longest allowed range takes seconds to evaluate (bench:metrics): other requests get turns meanwhile.
      if (n % YIELD_EVERY_STEPS === YIELD_EVERY_STEPS - 1) await new Promise((resolve) => setImmediate(resolve));
      for (const s of evaluateAt(expr, index, t * 1000)) {
        const key = labelsKey(s.labels);
        let entry = series.get(key);
        if (!entry) {
          entry = { labels: s.labels, points: [] };
          series.set(key, entry);
          checkSeriesCount(series.size, this.bounds);
          bytes += JSON.stringify(s.labels).length + 24; // {"metric":…,"values":[…]},
        }
        entry.points.push([t, s.value]);
        bytes += String(t).length + formatSampleValue(s.value).length + POINT_OVERHEAD_BYTES;
      }
      if (bytes > this.bounds.maxResponseBytes) throw responseTooLarge(this.bounds);
    }
    return { data: matrixResult([...series.values()]), enforcedQuery, cache: 'none' };
  }

  async series(): Promise<Record<string, string>[]> {
    throw needsPrometheus('the series API');
  }

  async labelValues(): Promise<string[]> {
    throw needsPrometheus('the label values API');
  }

  /** Alerts come from Prometheus alerting rules, which the embedded default does not run. */
  async alerts(): Promise<PromAlert[]> {
    return [];
  }

  private resolve(ws: WorkspaceRef, query: MetricsQuery): { expr: Expr; enforcedQuery: string } {
    if (query.kind === 'promql') throw needsPrometheus('arbitrary PromQL');
    try {
      const { expr } = resolveCatalogQuery(query.name, query.args);
      // Shown to the caller as "what a real Prometheus would be asked".
      return { expr, enforcedQuery: enforceTenant(renderPromQL(expr), { label: this.o.tenantLabel, workspaceId: ws.workspaceId }) };
    } catch (err) {
      if (err instanceof CatalogError) throw new MetricsError('invalid_query', err.message);
      throw err;
    }
  }

  /** Raw series of the caller's workspace only, from far enough back for the expression's windows. */
  private index(ws: WorkspaceRef, expr: Expr, fromMs: number, toMs: number): SeriesIndex | undefined {
    const scenario = this.byId.get(ws.workspaceId);
    if (!scenario) return undefined; // a workspace without data: empty results, as Prometheus would give
    const anchorMs = Math.ceil(this.now() / HOUR_MS) * HOUR_MS;
    const floorMs = anchorMs - this.bounds.maxLookbackSeconds * 1000;
    const stepMs = this.sampleStepMs;
    const neededMs = Math.floor((fromMs - lookbackSeconds(expr) * 1000 - stepMs) / stepMs) * stepMs;
    if (Math.min(toMs, anchorMs) < floorMs) return undefined; // all of it older than the retention
    // Generating up to the anchor keeps incident timing independent of the request's window.
    return this.generated.get({ scenario, fromMs: neededMs, anchorMs, floorMs, stepMs });
  }
}

function needsPrometheus(what: string): MetricsError {
  return new MetricsError(
    'needs_prometheus',
    `${what} needs a real Prometheus (set PROMETHEUS_URL); without it only the catalog queries (name=…) are served, from the built-in demo workspaces`,
  );
}
