/**
 * The workspace-scoped metrics data layer that routes and tools use. Every method takes the
 * caller's verified workspace (from the AuthContext, never from a query or a model's arguments);
 * implementations confine every query to it before anything is read.
 */
import type { PromAlert, PromQueryData } from '../clients/prometheus.js';
import type { CatalogArgs } from './catalog/catalog.js';
import type { RangeWindow } from './query-window.js';

/** A catalog query by name, or arbitrary PromQL (enforced like everything else). */
export type MetricsQuery = { kind: 'catalog'; name: string; args: CatalogArgs } | { kind: 'promql'; promql: string };

/** Who is asking: only the workspace matters to the data layer. */
export interface WorkspaceRef {
  readonly workspaceId: string;
}

export interface QueryResult {
  data: PromQueryData;
  /** The PromQL that was (or would be) sent upstream, tenant matcher included. */
  enforcedQuery: string;
  cache: 'hit' | 'miss' | 'none';
}

/** Per-read options: `signal` aborts the upstream request (an analysis over its time budget, a client gone). */
export interface ReadOptions {
  signal?: AbortSignal;
}

export interface MetricsSource {
  readonly kind: 'prometheus' | 'embedded';
  instant(ws: WorkspaceRef, query: MetricsQuery, timeSeconds: number, options?: ReadOptions): Promise<QueryResult>;
  range(ws: WorkspaceRef, query: MetricsQuery, window: RangeWindow, options?: ReadOptions): Promise<QueryResult>;
  series(ws: WorkspaceRef, match: readonly string[], start?: number, end?: number): Promise<Record<string, string>[]>;
  labelValues(ws: WorkspaceRef, label: string, match: readonly string[], start?: number, end?: number): Promise<string[]>;
  /** The workspace's active alerts (pending and firing). */
  alerts(ws: WorkspaceRef): Promise<PromAlert[]>;
}
