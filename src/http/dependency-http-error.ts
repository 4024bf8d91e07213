/** DependencyUnavailable as HTTP (applied by the one error handler): always 503 with `Retry-After` and a stable `reason`. */
import type { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import { HttpError } from './http-errors.js';

export function dependencyHttpError(err: DependencyUnavailable): HttpError {
  return new HttpError(503, err.message, { reason: err.reason, ...err.details }, { 'Retry-After': String(err.retryAfterSeconds) });
}
