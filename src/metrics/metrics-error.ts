/**
 * The one error type of the metrics data layer. Each kind maps to one HTTP status in the route
 * layer; messages are written for the caller (what was wrong and what to do) and never include
 * another tenant's data (queries are enforced before they reach Prometheus).
 */
export type MetricsErrorKind =
  | 'invalid_query' // 400: unparseable, refused by tenant enforcement, unknown catalog name, rejected by Prometheus
  | 'limit_exceeded' // 400: details.limit names it (range, step, points_per_series, lookback, future, series, response_size)
  | 'needs_prometheus' // 501: arbitrary PromQL without PROMETHEUS_URL
  | 'unavailable' // 503: Prometheus unreachable
  | 'timeout' // 504
  | 'upstream'; // 502: Prometheus failed

export class MetricsError extends Error {
  constructor(
    readonly kind: MetricsErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MetricsError';
  }
}
