/**
 * Every route of the service, registered in one place (after the app plugins: src/wiring/plugins.ts).
 * Each route declares its own access rule (src/http/route-auth.ts) and throws domain errors; the one
 * error table (src/http/error-table.ts) answers them.
 */
import type { FastifyInstance } from 'fastify';
import type { AnalysisRuns } from '../../agents/runs.js';
import type { ChatService } from '../../agents/chat/service.js';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import type { AuditPipeline } from '../audit/pipeline.js';
import type { Config } from '../config.js';
import type { DependencyMonitor } from '../health/dependency-monitor.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import type { RemediationService } from '../remediation/service.js';
import type { SqlMonitorStore } from '../monitoring/monitor-store.js';
import analyzeRoutes from './analyze.js';
import auditRoute from './audit.js';
import authValidateRoute from './auth-validate.js';
import chatRoutes from './chat.js';
import controlPlaneChat from './control-plane-chat.js';
import healthRoutes from './health.js';
import insightRoutes from './insights.js';
import metricsRoutes from './metrics-query.js';
import mcpRoutes, { type McpRouteOptions } from './mcp.js';
import monitoringRoutes from './monitoring.js';
import notificationRoutes, { type NotificationRouteOptions } from './notifications.js';
import alertmanagerWebhook, { type AlertmanagerWebhookOptions } from './alertmanager-webhook.js';
import remediationRoutes from './remediations.js';
import uiRoutes from './ui.js';
import workspaceAccessRoute from './workspace-access.js';
import workspaceInsightRoutes from './workspace-insights.js';
import workspaceSummary from './workspace-summary.js';

export interface RouteDeps {
  monitor: DependencyMonitor;
  version: string;
  metrics: MetricsSource;
  audit: AuditPipeline;
  runs: AnalysisRuns;
  /** What the monitor stored: alerts and incidents. */
  monitorStore: SqlMonitorStore;
  notifications: NotificationRouteOptions;
  /** Alertmanager's webhook, when ALERTMANAGER_WEBHOOK_TOKEN is set. */
  alertmanager?: AlertmanagerWebhookOptions;
  findings: FindingsEngine;
  remediations: RemediationService;
  chat: ChatService;
  /** The MCP endpoint's servers, one per verified caller. */
  mcp: McpRouteOptions;
  /** The analysis clock (tests pin it). */
  now: () => number;
}

export async function registerRoutes(app: FastifyInstance, config: Config, deps: RouteDeps): Promise<void> {
  await app.register(healthRoutes, { monitor: deps.monitor, version: deps.version });
  await app.register(authValidateRoute);
  await app.register(workspaceAccessRoute);
  await app.register(metricsRoutes, { source: deps.metrics, limits: config.metrics.limits });
  await app.register(auditRoute, { audit: deps.audit });
  await app.register(analyzeRoutes, { runs: deps.runs, now: deps.now });
  await app.register(workspaceInsightRoutes, {
    metrics: deps.metrics,
    now: deps.now,
    findings: deps.findings,
    timeoutSeconds: config.compute.analysisTimeoutMs / 1000,
  });
  await app.register(insightRoutes, { audit: deps.audit });
  await app.register(monitoringRoutes, { store: deps.monitorStore, runs: deps.runs });
  await app.register(workspaceSummary, { store: deps.monitorStore, remediations: deps.remediations });
  if (deps.alertmanager) await app.register(alertmanagerWebhook, deps.alertmanager);
  await app.register(notificationRoutes, deps.notifications);
  await app.register(uiRoutes); // the web console's static files (public; its API calls carry the token)
  await app.register(remediationRoutes, { remediations: deps.remediations });
  await app.register(chatRoutes, { chat: deps.chat, keepAliveMs: config.chat.keepAliveMs });
  await app.register(controlPlaneChat, { chat: deps.chat });
  await app.register(mcpRoutes, deps.mcp);
}
