/**
 * The composition root: the only place that builds clients from the configuration, read as its
 * table of contents. The HTTP server, the clients (src/wiring/clients.ts), the limits, the agent
 * kit every agent shares, then remediation, analysis and chat on them, the app plugins and the
 * routes (src/routes/index.ts). Whatever is built is closed when the app closes, dependents first.
 * Tests call `buildApp` with a plain config object and may override any built service.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { AnalysisRunsOptions, DrainReport } from '../agents/runs.js';
import { registerRoutes } from './routes/index.js';
import { readServiceVersion } from './version.js';
import { buildAgentKit } from './wiring/agent-kit.js';
import { buildAnalysis } from './wiring/analysis.js';
import type { BuildOptions } from './wiring/build-options.js';
import { buildChat, chatRemediationProposer } from './wiring/chat.js';
import { buildClients } from './wiring/clients.js';
import { createHttpServer } from './wiring/http-server.js';
import { buildLimits } from './wiring/limits.js';
import { buildMcp } from './wiring/mcp.js';
import { alertmanagerIntake, buildMonitoring } from './wiring/monitoring.js';
import { connectNotificationSources } from './wiring/notification-sources.js';
import { buildNotify } from './wiring/notify.js';
import { registerPlugins } from './wiring/plugins.js';
import { readinessMonitor } from './wiring/readiness.js';
import { buildRemediation } from './wiring/remediation.js';
import { serviceMetrics } from './wiring/service-metrics.js';

export type { BuildOptions };

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Shutdown, first step (src/server.ts, before `close()`): no new analysis runs (503 `shutting_down`),
     * running ones waited for, the rest stopped at their last checkpoint and handed to another instance.
     * The server keeps answering meanwhile (run polls, approvals). Idempotent; `close()` runs it too.
     */
    drainRuns(): Promise<DrainReport>;
  }
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const version = readServiceVersion();
  const now = options.now ?? Date.now;
  const app = await createHttpServer(config, options.logger);
  const warn = (msg: string) => app.log.warn(msg);
  try {
    const observed = serviceMetrics(app.metrics.registry);
    const clients = await buildClients(app, config, { ...options, version, onLlmAttempt: observed.llmAttempt });
    const { redis, postgres, controlPlane, audit } = clients;
    const settled: { listener?: AnalysisRunsOptions['onSettled'] } = {};
    const remediation = buildRemediation(config, {
      audit,
      ...(postgres ? { postgres } : {}),
      ...(redis ? { redis } : {}),
      ...(controlPlane ? { controlPlane } : {}),
      ...(options.now ? { now: options.now } : {}),
      warn,
    });
    app.addHook('onClose', () => remediation.close());
    observed.watchRemediations(remediation.decisions);
    const limits = buildLimits(config, {
      redis,
      registry: app.metrics.registry,
      warn,
      ...(options.limitsKeyPrefix ? { keyPrefix: options.limitsKeyPrefix } : {}),
    });
    const kit = buildAgentKit(config, clients, {
      limits,
      registry: app.metrics.registry,
      now,
      warn,
      ...(options.findingsEngine ? { findings: options.findingsEngine } : {}),
    });
    app.addHook('onClose', () => kit.close()); // onClose hooks run last-registered first: after the analysis's
    const analysis = await buildAnalysis(config, kit, {
      remediations: remediation.service,
      decisions: remediation.decisions,
      registry: app.metrics.registry,
      onBackgroundError: (runId, err) => app.log.error({ runId, err }, 'analysis run failed'),
      warn,
      limits,
      ...(postgres ? { postgres } : {}),
      onRecovered: (runId, outcome) => app.log.warn({ runId, outcome }, 'analysis run recovered after its process stopped'),
      // Bound below, once notifications exist (runs are built first: the monitor starts them).
      onSettled: (view, auth) => {
        observed.runSettled(view);
        settled.listener?.(view, auth);
      },
    });
    app.addHook('onClose', () => analysis.close());
    app.decorate('drainRuns', () => analysis.drain());
    app.addHook('preClose', async () => void (await analysis.drain()));
    const monitoring = buildMonitoring(config, {
      metrics: clients.metrics,
      findings: analysis.findings,
      audit,
      runs: analysis.runs,
      registry: app.metrics.registry,
      ...(postgres ? { postgres } : {}),
      now,
      warn,
      options,
    });
    app.addHook('onClose', () => monitoring.close());
    // While the service monitors, list_alerts reads what the monitor keeps (built after the agent kit,
    // which the monitor needs: bound here, on the one ToolDeps object every toolbox holds).
    if (config.monitor.enabled)
      kit.toolDeps.storedAlerts = async (workspaceId, states) =>
        (await monitoring.store.listAlerts(workspaceId, { states, limit: 51 })).map((a) => ({
          name: a.name,
          state: a.state as 'pending' | 'firing',
          source: a.source,
          severity: a.severity,
          summary: a.summary,
          startedAtMs: a.startedAtMs,
          labels: a.labels,
          annotations: a.annotations,
        }));
    const notify = buildNotify(config, { audit, registry: app.metrics.registry, ...(postgres ? { postgres } : {}), warn, options });
    app.addHook('onClose', () => notify.close()); // after the monitor's (onClose hooks run last-registered first)
    settled.listener = connectNotificationSources(notify.notifier, { monitoring, decisions: remediation.decisions, now }).onRunSettled;
    await notify.notifier.start();
    // Not awaited: a Redis that is down at start must not keep the service from starting (BullMQ waits for it).
    app.addHook('onReady', async () => {
      void monitoring.start().catch((err: unknown) => warn(`monitor did not start: ${(err as Error).message}`));
    });
    // Shutdown: no new ticks, the evaluations in flight finish (another replica takes the next ticks), before the runs drain.
    app.addHook('preClose', () => monitoring.stop());
    const proposer = options.chatRemediationProposer ?? chatRemediationProposer(remediation.service);
    const chat = buildChat(config, kit, {
      ...(postgres ? { postgres } : {}),
      proposer,
      onError: (threadId, err) => app.log.error({ threadId, err }, 'chat turn failed'),
      onTurnEnd: observed.chatTurn,
      turns: limits.chatTurns,
    });
    await registerPlugins(app, config, {
      verifier: clients.verifier,
      audit,
      rateLimits: limits.rateLimits,
      version,
      ...(options.onAuthorizationDecision ? { onAuthorizationDecision: options.onAuthorizationDecision } : {}),
    });
    await registerRoutes(app, config, {
      monitor: readinessMonitor(app, config, clients, analysis.runs),
      version,
      metrics: clients.metrics,
      audit,
      runs: analysis.runs,
      monitorStore: monitoring.store,
      notifications: { settings: notify.settings, policy: notify.policy, now },
      ...(config.alertmanager.webhookToken
        ? { alertmanager: alertmanagerIntake(config, monitoring, { audit, now, rateLimits: limits.rateLimits }) }
        : {}),
      findings: analysis.findings,
      remediations: remediation.service,
      chat: chat.service,
      mcp: buildMcp(kit, { proposer, monitorStore: monitoring.store, version, registry: app.metrics.registry }),
      now,
    });
  } catch (err) {
    await app.close(); // runs the onClose hooks: whatever was built is released
    throw err;
  }
  return app;
}
