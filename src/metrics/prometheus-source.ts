/**
 * The metrics data layer over a real (shared, multi-tenant) Prometheus: resolves catalog names,
 * confines every expression and every match[] to the caller's workspace, bounds every read
 * (read-bounds.ts: times, range shape, how far the expression itself reaches, series per answer; the
 * client caps the bytes read), caches enforced results under step-aligned keys, and turns transport
 * failures into MetricsErrors.
 */
import { createHash } from 'node:crypto';
import { PrometheusError, type PrometheusClient, type PromAlert, type PromAnswer, type PromQueryData } from '../clients/prometheus.js';
import { CatalogError, catalogPromQL } from './catalog/catalog.js';
import { MetricsError } from './metrics-error.js';
import type { MetricsQuery, MetricsSource, QueryResult, ReadOptions, WorkspaceRef } from './metrics-source.js';
import { normalisePromQL } from './promql/normalise.js';
import { enforceSeriesSelector, enforceTenant, TenantQueryError, workspaceSelector, type TenantScope } from './promql/tenant-enforcer.js';
import { checkTimeReach } from './promql/time-reach.js';
import type { QueryCache } from './query-cache.js';
import type { RangeWindow } from './query-window.js';
import { checkInstantTime, checkRangeWindow, checkSeriesCount, DEFAULT_READ_BOUNDS, seriesWindow, type ReadBounds } from './read-bounds.js';

/** How long one answer of Prometheus's /api/v1/alerts serves every workspace's alerts. */
const ALERTS_SHARED_MS = 5000;

export interface CacheObserver {
  (outcome: 'hit' | 'miss'): void;
}

export interface PrometheusSourceOptions {
  client: PrometheusClient;
  tenantLabel: string;
  cache?: QueryCache;
  /** TTL of results that may still change (recent data); settled results live longer. */
  cacheTtlSeconds: number;
  onCache?: CacheObserver;
  now?: () => number;
  /** Bounds of every read (the response byte cap is the client's maxResponseBytes). */
  bounds?: ReadBounds;
}

/** Data older than this is settled: Prometheus will not change it, so it can be cached longer. */
const SETTLED_AFTER_SECONDS = 600;

export class PrometheusMetricsSource implements MetricsSource {
  readonly kind = 'prometheus';
  private readonly now: () => number;
  private readonly bounds: ReadBounds;
  private alertsFetch: { at: number; promise: Promise<PromAlert[]> } | undefined;

  constructor(private readonly o: PrometheusSourceOptions) {
    this.now = o.now ?? (() => Date.now() / 1000);
    this.bounds = o.bounds ?? DEFAULT_READ_BOUNDS;
  }

  async instant(ws: WorkspaceRef, query: MetricsQuery, timeSeconds: number, read: ReadOptions = {}): Promise<QueryResult> {
    checkInstantTime(timeSeconds, this.now(), this.bounds);
    const enforced = this.enforce(ws, query);
    return this.cached(ws, 'instant', enforced, [timeSeconds], timeSeconds, () =>
      this.o.client.instantAnswer(enforced, timeSeconds, read.signal),
    );
  }

  async range(ws: WorkspaceRef, query: MetricsQuery, w: RangeWindow, read: ReadOptions = {}): Promise<QueryResult> {
    checkRangeWindow(w, this.now(), this.bounds);
    const enforced = this.enforce(ws, query);
    return this.cached(ws, 'range', enforced, [w.start, w.end, w.step], w.end, () =>
      this.o.client.rangeAnswer(enforced, w.start, w.end, w.step, read.signal),
    );
  }

  async series(ws: WorkspaceRef, match: readonly string[], start?: number, end?: number): Promise<Record<string, string>[]> {
    const window = seriesWindow(start, end, this.now(), this.bounds);
    const series = await upstream(() => this.o.client.series(this.enforceMatch(ws, match), window.start, window.end));
    checkSeriesCount(series.length, this.bounds);
    return series;
  }

  async labelValues(ws: WorkspaceRef, label: string, match: readonly string[], start?: number, end?: number): Promise<string[]> {
    const window = seriesWindow(start, end, this.now(), this.bounds);
    const values = await upstream(() => this.o.client.labelValues(label, this.enforceMatch(ws, match), window.start, window.end));
    checkSeriesCount(values.length, this.bounds, 'label values');
    return values;
  }

  async alerts(ws: WorkspaceRef) {
    const all = await this.allAlerts();
    return all.filter((a) => a.labels[this.o.tenantLabel] === ws.workspaceId && a.state !== 'inactive');
  }

  /**
   * Prometheus answers /api/v1/alerts for every tenant at once: one answer serves every workspace asking
   * within ALERTS_SHARED_MS (the monitor evaluates thousands per minute). A failed fetch is not kept.
   */
  private allAlerts(): Promise<PromAlert[]> {
    const at = Date.now();
    if (!this.alertsFetch || at - this.alertsFetch.at > ALERTS_SHARED_MS) {
      const promise = upstream(() => this.o.client.alerts());
      const entry = { at, promise };
      this.alertsFetch = entry;
      promise.catch(() => {
        if (this.alertsFetch === entry) this.alertsFetch = undefined;
      });
    }
    return this.alertsFetch.promise;
  }

  private scope(ws: WorkspaceRef): TenantScope {
    return { label: this.o.tenantLabel, workspaceId: ws.workspaceId };
  }

  private enforce(ws: WorkspaceRef, query: MetricsQuery): string {
    try {
      const promql = query.kind === 'catalog' ? catalogPromQL(query.name, query.args) : query.promql;
      const enforced = enforceTenant(promql, this.scope(ws));
      checkTimeReach(enforced, this.now(), this.bounds);
      return enforced;
    } catch (err) {
      if (err instanceof TenantQueryError || err instanceof CatalogError) throw new MetricsError('invalid_query', err.message);
      throw err;
    }
  }

  /** match[] is optional for tenants, but without one the label APIs would answer across workspaces. */
  private enforceMatch(ws: WorkspaceRef, match: readonly string[]): string[] {
    if (match.length === 0) return [workspaceSelector(this.scope(ws))];
    try {
      return match.map((m) => enforceSeriesSelector(m, this.scope(ws)));
    } catch (err) {
      if (err instanceof TenantQueryError) throw new MetricsError('invalid_query', `match[]: ${err.message}`);
      throw err;
    }
  }

  /** Keyed by the enforced query's canonical spelling (normalisePromQL) and its time arguments. */
  private async cached(
    ws: WorkspaceRef,
    kind: 'instant' | 'range',
    enforced: string,
    times: number[],
    dataEnd: number,
    fetchAnswer: () => Promise<PromAnswer<PromQueryData>>,
  ): Promise<QueryResult> {
    const cache = this.o.cache;
    if (!cache) {
      const { data } = await upstream(fetchAnswer);
      checkSeriesCount(data.result.length, this.bounds);
      return { data, enforcedQuery: enforced, cache: 'none' };
    }
    // The cached value is Prometheus's answer text as received ('answer' in the key: not the bare `data`
    // an older replica may have cached): storing it costs no second serialisation of what was just parsed.
    const key = cacheKey(ws.workspaceId, [kind, 'answer', normalisePromQL(enforced), ...times]);
    const hit = await cache.get(key);
    if (hit !== undefined) {
      this.o.onCache?.('hit');
      const { data } = JSON.parse(hit) as { data: PromQueryData };
      checkSeriesCount(data.result.length, this.bounds);
      return { data, enforcedQuery: enforced, cache: 'hit' };
    }
    this.o.onCache?.('miss');
    const { data, text } = await upstream(fetchAnswer);
    checkSeriesCount(data.result.length, this.bounds);
    const settled = dataEnd < this.now() - SETTLED_AFTER_SECONDS;
    await cache.set(key, text, settled ? this.o.cacheTtlSeconds * 10 : this.o.cacheTtlSeconds);
    return { data, enforcedQuery: enforced, cache: 'miss' };
  }
}

/** The workspace is part of the key on its own, besides being inside the enforced query. */
export function cacheKey(workspaceId: string, parts: unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([workspaceId, ...parts]))
    .digest('hex');
}

async function upstream<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof PrometheusError)) throw err;
    const details = {
      endpoint: err.context.endpoint,
      ...(err.context.upstreamStatus ? { upstream_status: err.context.upstreamStatus } : {}),
    };
    switch (err.kind) {
      case 'bad_query':
        throw new MetricsError('invalid_query', err.message, details);
      case 'too_large':
        throw new MetricsError('limit_exceeded', err.message, { ...details, limit: 'response_size' });
      case 'unreachable':
        throw new MetricsError('unavailable', err.message, details);
      case 'timeout':
        throw new MetricsError('timeout', err.message, details);
      case 'upstream':
        throw new MetricsError(err.context.upstreamStatus === 503 ? 'unavailable' : 'upstream', err.message, details);
    }
  }
}
