/** Test data: the series of a scenario workspace over 6 h at 60 s, through the embedded metrics source. */
import { fetchSeries } from '../../../../src/analysis/series-from-results.js';
import { ANALYSES, type SeriesData } from '../../../../src/analysis/types.js';
import { findingsWindowQueries } from '../../../../src/analysis/findings/required-queries.js';
import { EmbeddedMetricsSource } from '../../../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace, type IncidentKind } from '../../../../src/metrics/scenarios/index.js';

export const END_MS = Date.UTC(2025, 5, 10, 14, 0, 0);
export const WINDOW = { start: END_MS / 1000 - 6 * 3600, end: END_MS / 1000, step: 60 };

export function scenarioSource(workspaceId: string, incidents: IncidentKind[]): EmbeddedMetricsSource {
  return new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace(workspaceId, incidents)],
    tenantLabel: 'workspace_id',
    now: () => END_MS,
  });
}

/** Every series of the queries; a failing query fails the test data (no partial workspace). */
export async function scenarioSeries(
  incidents: IncidentKind[],
  queries = findingsWindowQueries([...ANALYSES]),
  workspaceId = 'ws-t',
): Promise<SeriesData[]> {
  const { series, failures } = await fetchSeries(scenarioSource(workspaceId, incidents), { workspaceId }, queries, WINDOW);
  if (failures.length > 0) throw new Error(`scenario queries failed: ${failures.map((f) => `${f.query}: ${f.message}`).join('; ')}`);
  return series;
}
