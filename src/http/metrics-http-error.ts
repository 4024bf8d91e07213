/** The metrics data layer's errors as HTTP statuses (applied by the one error handler). */
import { MetricsError, type MetricsErrorKind } from '../metrics/metrics-error.js';
import { HttpError } from './http-errors.js';

const STATUS: Record<MetricsErrorKind, number> = {
  invalid_query: 400,
  limit_exceeded: 400,
  needs_prometheus: 501,
  unavailable: 503,
  timeout: 504,
  upstream: 502,
};

export function metricsHttpError(err: MetricsError): HttpError {
  return new HttpError(
    STATUS[err.kind],
    err.message,
    { reason: err.kind, ...err.details },
    err.kind === 'unavailable' ? { 'Retry-After': '10' } : {},
  );
}
