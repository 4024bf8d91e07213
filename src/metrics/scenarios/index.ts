/**
 * Scenario generator: realistic, deterministic Kubernetes metrics for a few workspaces with scripted
 * incidents, for tests, demos (Prometheus backfill via OpenMetrics) and eval cases.
 */
export type { IncidentKind, IncidentSpec, NamespaceSpec, RawSeries, TimeWindow, WorkloadSpec, WorkspaceScenario } from './types.js';
export { INCIDENT_KINDS, isIncidentKind } from './types.js';
export { generateSeries } from './assemble.js';
export { demoWorkspaces, scaledWorkspace, scenarioWorkspace } from './presets.js';
export { writeOpenMetrics } from './openmetrics.js';
