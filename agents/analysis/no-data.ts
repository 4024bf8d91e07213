/**
 * "No data" is not "healthy": a workspace whose catalog queries answered but returned no series at
 * all (not scraped, a tenant label that does not match, or nothing inside the window) has nothing to
 * analyse, and a diagnosis of it would read "nothing is wrong". metrics-query records the reason as
 * an error of kind `no_data`; the graph then ends (no scoring, no diagnosis, no insights) and the run
 * reads `no_data` (runs.ts). Queries that all failed are not this: the tool reports an error then.
 */
import type { AnalysisState, RunError } from './state.js';

export const NO_DATA_KIND = 'no_data';

/** The error that says why there is nothing to analyse, naming what was asked. */
export function noDataError(state: Pick<AnalysisState, 'workspaceId' | 'request'>): RunError {
  const { targets, timeRangeMinutes } = state.request;
  const where = targets.length > 0 ? ` in namespace${targets.length > 1 ? 's' : ''} ${targets.join(', ')}` : '';
  return {
    node: 'metrics-query',
    kind: NO_DATA_KIND,
    message: `no series for workspace ${state.workspaceId}${where} in the last ${timeRangeMinutes} minutes: is it scraped, and does its tenant label match?`,
  };
}

export const hasNoData = (state: Pick<AnalysisState, 'errors'>): boolean => (state.errors ?? []).some((e) => e.kind === NO_DATA_KIND);
