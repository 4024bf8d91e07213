/**
 * Expected tools used / forbidden tools not used (quality), from the audit trail's tool_call events
 * and the chat's tool events. A call refused for scope (`denied`) did not run: it neither satisfies
 * an expected tool nor counts as a forbidden use. `fetch_series:oom_kills` also needs that catalog
 * query among the call's arguments (or the run's plan).
 */
import type { Observation } from '../observation.js';
import { runsOf } from './text.js';
import { result, type Scorer } from './types.js';

export interface ToolUse {
  tool: string;
  status: string;
  queries: string[];
}

/** Every tool call of the case: audit events first, then chat events the audit does not already show. */
export function toolUses(obs: Observation): ToolUse[] {
  const uses: ToolUse[] = obs.audit
    .filter((e) => e.event_type === 'tool_call')
    .map((e) => {
      const d = e.details as { tool?: string; status?: string; arguments?: { queries?: { name?: unknown }[] } };
      const queries = Array.isArray(d.arguments?.queries)
        ? d.arguments.queries.map((q) => (typeof q?.name === 'string' ? q.name : '')).filter(Boolean)
        : [];
      return { tool: String(d.tool ?? ''), status: String(d.status ?? ''), queries };
    });
  if (uses.length > 0) return uses;
  // Chat events are a fallback only: the audit trail is the record of what ran.
  return obs.steps.flatMap((s) =>
    (s.chat ?? []).flatMap((t) => {
      const events = t.events ?? [];
      const results = new Map(events.flatMap((e) => (e.event === 'tool_result' ? [[e.data.id, e.data.status] as const] : [])));
      return events.flatMap((e) =>
        e.event === 'tool_call' ? [{ tool: e.data.name, status: results.get(e.data.id) ?? 'ok', queries: [] }] : [],
      );
    }),
  );
}

const ran = (u: ToolUse) => u.status !== 'denied';

export const expectedToolsScorer: Scorer = {
  name: 'tools_expected',
  kind: 'quality',
  score(obs) {
    const expected = obs.case.expect.tools.expected;
    if (expected.length === 0) return result(this, 'not_applicable');
    const uses = toolUses(obs);
    const planned = new Set(runsOf(obs).flatMap((r) => r.plan?.queries.map((q) => q.name) ?? []));
    const details: string[] = [];
    let ok = true;
    for (const spec of expected) {
      const [tool, query] = spec.split(':') as [string, string | undefined];
      const calls = uses.filter((u) => u.tool === tool && u.status === 'ok');
      const hit = query ? calls.some((u) => u.queries.includes(query)) || (calls.length > 0 && planned.has(query)) : calls.length > 0;
      ok &&= hit;
      details.push(hit ? `${spec} used` : `${spec} not used (calls: ${uses.map((u) => `${u.tool}=${u.status}`).join(', ') || 'none'})`);
    }
    return result(this, ok ? 'pass' : 'fail', details);
  },
};

export const forbiddenToolsScorer: Scorer = {
  name: 'tools_forbidden',
  kind: 'quality',
  score(obs) {
    const forbidden = obs.case.expect.tools.forbidden;
    if (forbidden.length === 0) return result(this, 'not_applicable');
    const uses = toolUses(obs);
    const hits = uses.filter((u) => forbidden.includes(u.tool) && ran(u));
    const refused = uses.filter((u) => forbidden.includes(u.tool) && !ran(u));
    return result(this, hits.length === 0 ? 'pass' : 'fail', [
      ...hits.map((u) => `forbidden tool ${u.tool} ran (${u.status})`),
      ...refused.map((u) => `${u.tool} was attempted and refused for scope`),
      ...(hits.length === 0 ? [`none of ${forbidden.join(', ')} ran`] : []),
    ]);
  },
};
