/**
 * Every incident the scenario generator scripts, analysed end to end in deterministic mode (the
 * embedded data layer, the real graph, tools, analysers and rules): the scripted root cause must
 * come out as the first hypothesis, on the right workload.
 */
import BetterSqlite3 from 'better-sqlite3';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { describe, expect, it } from 'vitest';
import { buildAnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AnalysisType } from '../../src/analysis/types.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace, type IncidentKind } from '../../src/metrics/scenarios/index.js';
import { createGraphToolBox } from '../../tools/index.js';
import { collectingAudit } from '../helpers/fake-llm.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

const cases: { incident: IncidentKind; type: AnalysisType; cause: RegExp }[] = [
  { incident: 'memory_leak', type: 'anomaly', cause: /memory leak in shop\/api/ },
  { incident: 'cpu_saturation', type: 'performance', cause: /shop\/api.*CPU|CPU.*shop\/api/ },
  { incident: 'crash_loop_after_deploy', type: 'anomaly', cause: /bad release of shop\/frontend/ },
  { incident: 'latency_regression', type: 'performance', cause: /bad release of shop\/api/ },
  { incident: 'pvc_filling', type: 'capacity', cause: /PVC .*postgres.* filling up/ },
  { incident: 'noisy_neighbour', type: 'performance', cause: /noisy neighbour: CPU spike of shop\/report-builder/ },
  { incident: 'egress_spike', type: 'security', cause: /egress spike from shop\/api/ },
  { incident: 'quota_exhaustion', type: 'capacity', cause: /quota/i },
  { incident: 'over_provisioned', type: 'capacity', cause: /over-provisioned|right-?siz/i },
  { incident: 'mining_pattern', type: 'security', cause: /crypto-mining in tools\/docs/ },
];

describe('root cause first, for every scripted incident', () => {
  it.each(cases)('$incident ($type) → $cause', async ({ incident, type, cause }) => {
    const ws = `ws-${incident.replace(/_/g, '-')}`;
    const metrics = new EmbeddedMetricsSource({
      workspaces: [scenarioWorkspace(ws, [incident])],
      tenantLabel: 'workspace_id',
      now: () => NOW,
    });
    const graph = buildAnalysisGraph(
      { toolbox: createGraphToolBox({ metrics, audit: collectingAudit(), now: () => NOW }), now: () => NOW },
      new SqliteSaver(new BetterSqlite3(':memory:')),
    );
    const auth: AuthContext = {
      sub: 'u',
      workspaceId: ws,
      permissions: ['aiops:read', 'aiops:analyze'],
      planType: 'shared',
      orgIds: [],
      tokenType: 'aiops-contract',
      expiresAt: NOW / 1000 + 600,
      rawToken: 'x',
    };
    const view = await new AnalysisRuns(graph, { syncWaitMs: 60_000 }).start(auth, {
      analysisType: type,
      timeRangeMinutes: 360,
      targets: [],
      endTime: NOW / 1000,
    });
    const causes = view.state.diagnosis?.hypotheses.map((h) => h.cause) ?? [];
    expect(causes[0], `hypotheses: ${JSON.stringify(causes)}`).toMatch(cause);
  });

  it('a healthy workspace has no hypothesis for any analysis type, at any time of day', async () => {
    // Windows ending at 8 times spread over a day: daily troughs and peaks must not look like incidents.
    for (let k = 0; k < 8; k++) {
      const now = NOW + k * 3 * 3_600_000 + k * 7 * 60_000;
      const metrics = new EmbeddedMetricsSource({
        workspaces: [scenarioWorkspace('ws-ok', [])],
        tenantLabel: 'workspace_id',
        now: () => now,
      });
      const graph = buildAnalysisGraph(
        { toolbox: createGraphToolBox({ metrics, audit: collectingAudit(), now: () => now }), now: () => now },
        new SqliteSaver(new BetterSqlite3(':memory:')),
      );
      const auth: AuthContext = {
        sub: 'u',
        workspaceId: 'ws-ok',
        permissions: ['aiops:read', 'aiops:analyze'],
        planType: 'shared',
        orgIds: [],
        tokenType: 'aiops-contract',
        expiresAt: now / 1000 + 600,
        rawToken: 'x',
      };
      for (const type of ['anomaly', 'performance', 'security', 'capacity'] as const) {
        const view = await new AnalysisRuns(graph, { syncWaitMs: 60_000 }).start(auth, {
          analysisType: type,
          timeRangeMinutes: 360,
          targets: [],
          endTime: now / 1000,
        });
        expect(
          view.state.diagnosis?.hypotheses.map((h) => h.cause),
          `${type} ending ${new Date(now).toISOString()}`,
        ).toEqual([]);
      }
    }
  });
});
