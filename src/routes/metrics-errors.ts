/** Maps the metrics data layer's errors onto HTTP statuses (one place, used by every metrics route). */
import { HttpError } from '../http/http-errors.js';
import { MetricsError, type MetricsErrorKind } from '../metrics/metrics-error.js';

const STATUS: Record<MetricsErrorKind, number> = {
  invalid_query: 400,
  limit_exceeded: 400,
  needs_prometheus: 501,
  unavailable: 503,
  timeout: 504,
  upstream: 502,
};

export function toHttpError(err: unknown): unknown {
  if (!(err instanceof MetricsError)) return err;
  return new HttpError(STATUS[err.kind], err.message, { reason: err.kind, ...err.details }, err.kind === 'unavailable' ? { 'Retry-After': '10' } : {});
}
