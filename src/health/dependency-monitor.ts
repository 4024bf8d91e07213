/**
 * One place that probes the dependencies, for /health/ready and for /metrics: concurrent callers
 * share one round of probes, and a report younger than the caller's `maxAgeMs` is reused, so a
 * Prometheus scrape and the kubelet's readiness probe together cost one round, not one each.
 * `aiops_dependency_up{dependency}` (1 up, 0 down; unconfigured ones are not exported) is read from
 * it at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import { checkReadiness, type DependencyCheck, type ReadinessReport } from './readiness.js';

export class DependencyMonitor {
  private last: { at: number; report: ReadinessReport } | undefined;
  private inflight: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly checks: readonly DependencyCheck[],
    private readonly unconfigured: readonly string[],
    private readonly timeoutMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A report no older than `maxAgeMs` (0: a fresh round of probes, shared with concurrent callers). */
  report(maxAgeMs = 0): Promise<ReadinessReport> {
    if (this.last && this.now() - this.last.at <= maxAgeMs) return Promise.resolve(this.last.report);
    this.inflight ??= checkReadiness(this.checks, this.unconfigured, this.timeoutMs)
      .then((report) => {
        this.last = { at: this.now(), report };
        return report;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

/** Exports each configured dependency's state at scrape time (a report at most `maxAgeMs` old). */
export function registerDependencyMetrics(registry: Registry, monitor: DependencyMonitor, maxAgeMs = 10_000): void {
  new Gauge({
    name: 'aiops_dependency_up',
    help: 'Whether each configured dependency answered its last readiness probe (1) or not (0); see /health/ready for what each outage affects',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      const report = await monitor.report(maxAgeMs);
      for (const d of report.dependencies) {
        if (d.status !== 'not_configured') this.set({ dependency: d.name }, d.status === 'ok' ? 1 : 0);
      }
    },
  });
}
