/**
 * The monitoring loop on /metrics. No workspace id is ever a label value (thousands of workspaces
 * would be thousands of series): counts are by outcome, transition, reason.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AlertState } from './alert-lifecycle.js';
import type { EvaluationResult } from './evaluate-workspace.js';

export class MonitorMetrics {
  readonly evaluations: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly skipped: Counter<'reason'>;
  readonly lag: Histogram;
  readonly transitions: Counter<'transition'>;
  readonly incidents: Counter<'event'>;
  readonly investigations: Counter<'outcome'>;
  readonly workspaces: Gauge;

  constructor(registry: Registry, alertCounts?: () => Promise<Record<AlertState, number>>) {
    const registers = [registry];
    this.evaluations = new Counter({
      name: 'aiops_monitor_evaluations_total',
      help: 'Workspace evaluations of the monitoring loop, one per workspace evaluated, by outcome (ok, no_data, error)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'aiops_monitor_evaluation_duration_seconds',
      help: 'Duration of one workspace evaluation (observe, state machine, incidents, investigations)',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.skipped = new Counter({
      name: 'aiops_monitor_ticks_skipped_total',
      help: 'Ticks not evaluated, by reason (overlap: the previous evaluation of the workspace was still running)',
      labelNames: ['reason'] as const,
      registers,
    });
    this.lag = new Histogram({
      name: 'aiops_monitor_schedule_lag_seconds',
      help: 'From when a tick was due to when its evaluation started',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120],
      registers,
    });
    this.transitions = new Counter({
      name: 'aiops_monitor_alert_transitions_total',
      help: 'Alert state changes made by evaluations (opened = new pending, fired, resolved, dropped = pending that never fired)',
      labelNames: ['transition'] as const,
      registers,
    });
    this.incidents = new Counter({
      name: 'aiops_monitor_incidents_total',
      help: 'Incidents opened and resolved by the monitor',
      labelNames: ['event'] as const,
      registers,
    });
    this.investigations = new Counter({
      name: 'aiops_monitor_investigations_total',
      help: 'Automatic investigations of incidents, by outcome (started, failed: retried on a later evaluation)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.workspaces = new Gauge({
      name: 'aiops_monitor_workspaces',
      help: 'Workspaces the monitor schedules (discovered or configured)',
      registers,
    });
    if (alertCounts) {
      new Gauge({
        name: 'aiops_monitor_alerts',
        help: 'Stored alerts by state, over every workspace (read from the alert store at scrape time)',
        labelNames: ['state'] as const,
        registers,
        async collect() {
          // A store that cannot be read leaves the last values: a scrape never fails for it.
          const counts = await alertCounts().catch(() => undefined);
          if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
    }
  }

  recordEvaluation(result: EvaluationResult | undefined, seconds: number): void {
    const outcome = !result ? 'error' : result.noData ? 'no_data' : 'ok';
    this.evaluations.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
    if (!result) return;
    for (const [transition, n] of Object.entries(result.transitions)) if (n > 0) this.transitions.inc({ transition }, n);
    if (result.incidentsOpened.length > 0) this.incidents.inc({ event: 'opened' }, result.incidentsOpened.length);
    if (result.incidentsResolved.length > 0) this.incidents.inc({ event: 'resolved' }, result.incidentsResolved.length);
    if (result.investigationsStarted > 0) this.investigations.inc({ outcome: 'started' }, result.investigationsStarted);
    if (result.investigationsFailed > 0) this.investigations.inc({ outcome: 'failed' }, result.investigationsFailed);
  }
}
