/**
 * `aiops_limit_refusals_total{route_class, limit}`: every refusal by a limit (429s, and model calls
 * skipped because the daily LLM budget is spent). Labels are bounded enums: never a workspace id.
 */
import { Counter, type Registry } from 'prom-client';
import type { LimitName } from './limit-exceeded.js';
import type { RouteClass } from './plan-limits.js';

export type CountRefusal = (routeClass: RouteClass, limit: LimitName) => void;

export function limitRefusalsCounter(registry: Registry): CountRefusal {
  const counter = new Counter({
    name: 'aiops_limit_refusals_total',
    help: 'Requests (or LLM calls) refused by a per-workspace, per-user or per-replica limit, by route class and limit',
    labelNames: ['route_class', 'limit'] as const,
    registers: [registry],
  });
  return (routeClass, limit) => counter.inc({ route_class: routeClass, limit });
}
