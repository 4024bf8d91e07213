/** The agent's tools, and the toolbox that runs them with scope, validation, approval and audit. */
import { checkCompliance } from './check-compliance.js';
import { detectAnomalies } from './detect-anomalies.js';
import { diagnoseWorkspace } from './diagnose-workspace.js';
import { fetchSeriesTool } from './fetch-series.js';
import { forecastCapacity } from './forecast-capacity.js';
import { listAlerts } from './list-alerts.js';
import { listEvents } from './list-events.js';
import { logPatterns } from './log-patterns.js';
import { proposeRemediation } from './propose-remediation.js';
import { queryLogs } from './query-logs.js';
import { queryMetrics } from './query-metrics.js';
import { recommendRightsizing } from './recommend-rightsizing.js';
import { securityEvents } from './security-events.js';
import type { ToolDefinition, ToolDeps } from './tool.js';
import { createToolBox, type ToolBox, type ToolBoxOptions } from './toolbox.js';
import { workspaceOverview } from './workspace-overview.js';

export type { ResultSubject, ToolContext, ToolDefinition, ToolDeps, ToolResult } from './tool.js';
export { createToolBox, expectedSchema, type ToolBox, type ToolBoxOptions, type ToolCallOutcome } from './toolbox.js';
export type { DiagnoseWorkspaceOutput } from './diagnose-workspace.js';
export type { FetchSeriesOutput } from './fetch-series.js';
export type { ListAlertsOutput } from './list-alerts.js';
export type { ListEventsOutput } from './list-events.js';
export type { LogPatternsOutput } from './log-patterns.js';
export type { QueryLogsOutput } from './query-logs.js';
export type { SecurityEventsOutput } from './security-events.js';
export type { RemediationProposal } from './propose-remediation.js';
export type { FindingsOutput } from './run-analyses.js';
export { defineTool, fail, noData, ok } from './define-tool.js';
export { toolDeclarations } from './langchain.js';

/** Every tool of the agent, in the order they are offered to a model. */
export const ALL_TOOLS: readonly ToolDefinition<never, unknown>[] = [
  workspaceOverview,
  queryMetrics,
  listAlerts,
  listEvents,
  queryLogs,
  logPatterns,
  securityEvents,
  detectAnomalies,
  forecastCapacity,
  recommendRightsizing,
  checkCompliance,
  proposeRemediation,
] as unknown as ToolDefinition<never, unknown>[];

export function createDefaultToolBox(deps: ToolDeps, options?: ToolBoxOptions): ToolBox {
  return createToolBox(ALL_TOOLS, deps, options);
}

/**
 * The analysis graph's toolbox: every model-facing tool plus fetch_series, the bulk fetch of its
 * metrics-query node (kept out of ALL_TOOLS, so never offered to a model).
 */
export function createGraphToolBox(deps: ToolDeps, options?: ToolBoxOptions): ToolBox {
  return createToolBox([...ALL_TOOLS, fetchSeriesTool as unknown as ToolDefinition<never, unknown>], deps, options);
}

/**
 * The chat's tools: every model-facing tool plus diagnose_workspace, the analysis graph's
 * deterministic path in one call (never fetch_series: its answers are too large for a prompt).
 */
export const CHAT_TOOLS: readonly ToolDefinition<never, unknown>[] = [
  ...ALL_TOOLS,
  diagnoseWorkspace as unknown as ToolDefinition<never, unknown>,
];

export function createChatToolBox(deps: ToolDeps, options?: ToolBoxOptions): ToolBox {
  return createToolBox(CHAT_TOOLS, deps, options);
}

export {
  checkCompliance,
  detectAnomalies,
  diagnoseWorkspace,
  forecastCapacity,
  listAlerts,
  listEvents,
  logPatterns,
  proposeRemediation,
  queryLogs,
  queryMetrics,
  recommendRightsizing,
  securityEvents,
  workspaceOverview,
};
