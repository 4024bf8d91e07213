/**
 * Prometheus metrics of the circuit breakers, read at scrape time:
 * `aiops_circuit_breaker_state{dependency, state}` (1 for the current state, 0 for the others) and
 * `aiops_circuit_breaker_rejections_total{dependency}` (calls failed at once while open).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState, DependencyBreaker } from './circuit-breaker.js';

const STATES: readonly BreakerState[] = ['closed', 'half_open', 'open'];

export function registerBreakerMetrics(registry: Registry, breakers: readonly DependencyBreaker[]): void {
  new Gauge({
    name: 'aiops_circuit_breaker_state',
    help: 'Circuit breaker state per dependency: 1 for the current state (closed, half_open, open), 0 for the others',
    labelNames: ['dependency', 'state'] as const,
    registers: [registry],
    collect() {
      for (const b of breakers) for (const state of STATES) this.set({ dependency: b.dependency, state }, b.state === state ? 1 : 0);
    },
  });
  const seen = new Map<DependencyBreaker, number>();
  new Counter({
    name: 'aiops_circuit_breaker_rejections_total',
    help: 'Calls failed at once, without reaching the dependency, because its circuit breaker was open',
    labelNames: ['dependency'] as const,
    registers: [registry],
    collect() {
      for (const b of breakers) {
        this.inc({ dependency: b.dependency }, b.rejected - (seen.get(b) ?? 0));
        seen.set(b, b.rejected);
      }
    },
  });
}
