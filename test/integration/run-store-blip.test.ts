/**
 * A run whose checkpoint store fails under it is not lost. (1) The first checkpoint write fails (a
 * PostgreSQL connection terminated at that moment): the run cannot even be marked failed, so its
 * lease is handed over instead of released, and the sweep starts it over from the input the lease
 * holds — it is never a 404 and it completes. (2) A lease whose release failed (store down) is handed
 * over at the next renewal instead of being renewed forever with the process's other leases.
 * Found by the fault matrix (test/chaos/, pg_terminate_backend): a run answered 202, then 404 for good.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { MemorySaver } from '@langchain/langgraph';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildAnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { createPromptLibrary, defaultPromptsDir } from '../../src/prompts/index.js';
import { sqliteDriver } from '../../src/storage/sql-drivers.js';
import { SqlRunLeaseStore } from '../../src/runs/lease-store.js';
import { RunLeases } from '../../src/runs/leases.js';
import { createGraphToolBox } from '../../tools/index.js';
import { collectingAudit } from '../helpers/fake-llm.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-h',
  permissions: ['aiops:read', 'aiops:analyze'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: NOW / 1000 + 600,
  rawToken: 'x',
};

/** A checkpoint store whose next `failures` writes fail, as a terminated PostgreSQL connection would make them. */
class FlakySaver extends MemorySaver {
  failures = 1;
  override async put(...args: Parameters<MemorySaver['put']>): Promise<RunnableConfig> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('Connection terminated unexpectedly');
    }
    return super.put(...args);
  }
}

describe('a run under a failing checkpoint store', () => {
  it('whose first checkpoint write fails is started over by the sweep: never a 404, completed', async () => {
    const metrics = new EmbeddedMetricsSource({ workspaces: [scenarioWorkspace('ws-h', [])], tenantLabel: 'workspace_id', now: () => NOW });
    const graph = buildAnalysisGraph(
      {
        toolbox: createGraphToolBox({ metrics, audit: collectingAudit(), now: () => NOW }),
        prompts: createPromptLibrary(defaultPromptsDir()),
        now: () => NOW,
      },
      new FlakySaver(),
    );
    const leases = new RunLeases({ store: new SqlRunLeaseStore(sqliteDriver(new BetterSqlite3(':memory:'))), leaseMs: 500 });
    const runs = new AnalysisRuns(graph, { syncWaitMs: 0, leases });
    try {
      const started = await runs.start(auth, { analysisType: 'anomaly', timeRangeMinutes: 60, targets: [], endTime: NOW / 1000 });
      const seen: string[] = [];
      for (let i = 0; i < 100; i++) {
        await runs.recoverOrphans(); // the periodic sweep
        const view = await runs.get(auth, started.run_id);
        seen.push(view?.status ?? 'not found');
        if (view?.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).not.toContain('not found');
      expect(seen.at(-1)).toBe('completed');
    } finally {
      leases.stop();
    }
  });

  it('a lease whose release failed is handed over at the next renewal, not renewed forever', async () => {
    const store = new SqlRunLeaseStore(sqliteDriver(new BetterSqlite3(':memory:')));
    const leases = new RunLeases({ store, leaseMs: 60_000 });
    try {
      await leases.hold('run-done', 'ws-h', '{}');
      await leases.hold('run-busy', 'ws-h', '{}');
      const release = store.release.bind(store);
      store.release = async () => {
        throw new Error('Connection terminated unexpectedly');
      };
      await leases.release('run-done'); // the run ended; the store was down
      store.release = release;
      await leases.renew();
      expect(await leases.lookup('run-done')).toMatchObject({ expired: true, lease: { owner: '' } }); // a sweep settles it now
      expect(await leases.lookup('run-busy')).toMatchObject({ expired: false });
    } finally {
      leases.stop();
    }
  });
});
