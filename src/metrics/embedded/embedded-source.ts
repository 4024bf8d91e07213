/**
 * The embedded default when PROMETHEUS_URL is unset: the catalog queries, answered in-process over
 * the scenario generator's demo workspaces, so `npm start` shows real-looking workspaces out of the
 * box. Arbitrary PromQL (and the series/label APIs) answer `needs_prometheus` — never fake data.
 *
 * The scenarios are laid out relative to an anchor: the current time rounded up to the hour, so
 * answers are consistent between requests within the hour and the demo incidents stay recent.
 */
import type { PromAlert } from '../../clients/prometheus.js';
import { CatalogError, resolveCatalogQuery } from '../catalog/catalog.js';
import { lookbackSeconds, renderPromQL, type Expr } from '../catalog/expr.js';
import { MetricsError } from '../metrics-error.js';
import type { MetricsQuery, MetricsSource, QueryResult, WorkspaceRef } from '../metrics-source.js';
import { labelsKey, matrixResult, vectorResult, type Labels } from '../prom-format.js';
import { enforceTenant } from '../promql/tenant-enforcer.js';
import type { RangeWindow } from '../query-window.js';
import { generateSeries, type RawSeries, type WorkspaceScenario } from '../scenarios/index.js';
import { evaluateAt, SeriesIndex } from './evaluate.js';

const HOUR_MS = 3_600_000;

export interface EmbeddedSourceOptions {
  workspaces: readonly WorkspaceScenario[];
  tenantLabel: string;
  /** Resolution of the generated raw series. */
  sampleStepMs?: number;
  now?: () => number;
}

export class EmbeddedMetricsSource implements MetricsSource {
  readonly kind = 'embedded';
  private readonly byId: Map<string, WorkspaceScenario>;
  private readonly sampleStepMs: number;
  private readonly now: () => number;

  constructor(private readonly o: EmbeddedSourceOptions) {
    this.byId = new Map(o.workspaces.map((w) => [w.workspaceId, w]));
    this.sampleStepMs = o.sampleStepMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  async instant(ws: WorkspaceRef, query: MetricsQuery, timeSeconds: number): Promise<QueryResult> {
    const { expr, enforcedQuery } = this.resolve(ws, query);
    const index = this.index(ws, expr, timeSeconds * 1000, timeSeconds * 1000);
    const samples = index ? evaluateAt(expr, index, timeSeconds * 1000) : [];
    return { data: vectorResult(samples, timeSeconds), enforcedQuery, cache: 'none' };
  }

  async range(ws: WorkspaceRef, query: MetricsQuery, w: RangeWindow): Promise<QueryResult> {
    const { expr, enforcedQuery } = this.resolve(ws, query);
    const index = this.index(ws, expr, w.start * 1000, w.end * 1000);
    const series = new Map<string, { labels: Labels; points: [number, number][] }>();
    for (let t = w.start; index && t <= w.end; t += w.step) {
      for (const s of evaluateAt(expr, index, t * 1000)) {
        const key = labelsKey(s.labels);
        const entry = series.get(key) ?? { labels: s.labels, points: [] };
        entry.points.push([t, s.value]);
        series.set(key, entry);
      }
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

  /** Raw series of the caller's workspace only, generated from far enough back for the expression's windows. */
  private index(ws: WorkspaceRef, expr: Expr, fromMs: number, toMs: number): SeriesIndex | undefined {
    const scenario = this.byId.get(ws.workspaceId);
    if (!scenario) return undefined; // a workspace without data: empty results, as Prometheus would give
    const anchor = Math.ceil(this.now() / HOUR_MS) * HOUR_MS;
    const step = this.sampleStepMs;
    const startMs = Math.floor((fromMs - lookbackSeconds(expr) * 1000 - step) / step) * step;
    if (toMs > anchor) toMs = anchor;
    if (startMs >= toMs) return undefined;
    // Generating up to the anchor keeps incident timing independent of the request's window.
    return new SeriesIndex(generateSeries(scenario, { startMs, endMs: anchor, stepMs: step }).filter((s: RawSeries) => s.times.length > 0 && s.times[0]! <= toMs));
  }
}

function needsPrometheus(what: string): MetricsError {
  return new MetricsError('needs_prometheus', `${what} needs a real Prometheus (set PROMETHEUS_URL); without it only the catalog queries (name=…) are served, from the built-in demo workspaces`);
}
