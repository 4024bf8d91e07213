/**
 * The Kubernetes events of an analysis window as findings, for tools that run an analysis themselves
 * (diagnose_workspace), as the analysis graph's events-query node does through list_events: Warning
 * events of the caller's workspace only (the logs source confines the query), through the event
 * analysers. A store that is absent, missing the table or down is a gap stated in `note`, never a failure.
 */
import { eventFindings } from '../src/analysis/findings/events.js';
import type { Finding } from '../src/analysis/types.js';
import type { RangeWindow } from '../src/metrics/query-window.js';
import { eventRecord } from './list-events.js';
import { logsGap } from './logs-common.js';
import type { ToolContext, ToolDeps } from './tool.js';

/** Event groups read per analysis (they fold per workload and cause). */
const MAX_EVENT_GROUPS = 300;

export async function windowEventFindings(
  deps: ToolDeps,
  ctx: ToolContext,
  window: RangeWindow,
  namespace: string | undefined,
): Promise<{ findings: Finding[]; note: string }> {
  if (!deps.logs) return { findings: [], note: 'gap: no logs store is configured, so no Kubernetes events were read' };
  try {
    const groups = await deps.logs.events(
      ctx.auth,
      {
        window: { fromMs: Math.floor(window.start * 1000), toMs: Math.floor(window.end * 1000) },
        type: 'Warning',
        ...(namespace ? { namespace } : {}),
        limit: Math.min(MAX_EVENT_GROUPS, deps.logs.bounds.maxRows),
      },
      ctx.signal,
    );
    const findings = eventFindings(groups.map(eventRecord));
    return { findings, note: `${groups.length} warning event group(s), ${findings.length} finding(s)` };
  } catch (err) {
    const gap = logsGap(err, 'Kubernetes events');
    return { findings: [], note: gap.status === 'ok' ? 'gap' : gap.message };
  }
}
