/**
 * Security events for the demo workspaces, laid out as the platform's `security_events` rows: routine
 * successful logins of a few users (the noise), and for each `login_brute_force` event incident, one
 * source guessing a user's password every minute or so since it started. Deterministic for a
 * scenario and a clock.
 */
import type { WorkspaceScenario } from '../../metrics/scenarios/types.js';
import { dateTime64 } from './platform-ddl.js';

export interface SecurityEventRow {
  timestamp: string;
  event_type: string;
  severity: string;
  user_id: string;
  org_id: string;
  workspace_id: string;
  source_ip: string;
  user_agent: string;
  resource: string;
  action: string;
  result: string;
  message: string;
  metadata: Record<string, string>;
  risk_score: number;
}

const MIN = 60_000;
const USERS = ['alice', 'bob', 'carol'];

export function demoSecurityRows(workspaces: readonly WorkspaceScenario[], nowMs: number): SecurityEventRow[] {
  const rows: SecurityEventRow[] = [];
  for (const ws of workspaces) {
    const base = {
      event_type: 'login',
      severity: 'low',
      org_id: `org-${ws.seed}`,
      workspace_id: ws.workspaceId,
      user_agent: 'Mozilla/5.0',
      resource: 'console',
      action: 'login',
      metadata: {},
    };
    // Routine: each user logs in a few times a day from the office range.
    USERS.forEach((user, u) => {
      for (let k = 0; k < 3; k++)
        rows.push({
          ...base,
          timestamp: dateTime64(nowMs - (30 + u * 97 + k * 211) * MIN),
          user_id: user,
          source_ip: `10.20.0.${10 + u}`,
          result: 'success',
          message: `user ${user} logged in`,
          risk_score: 0.05,
        });
    });
    for (const inc of ws.eventIncidents ?? []) {
      if (inc.kind !== 'login_brute_force') continue;
      const minutes = Math.max(5, Math.round(inc.startsBeforeEndMs / MIN));
      const source = `203.0.113.${(ws.seed % 200) + 20}`;
      for (let m = 1; m <= minutes; m++)
        rows.push({
          ...base,
          timestamp: dateTime64(nowMs - m * MIN),
          severity: 'medium',
          user_id: 'admin',
          source_ip: source,
          user_agent: 'python-requests/2.31',
          resource: `${inc.namespace}/${inc.workload}`,
          result: 'failure',
          message: `invalid password for admin on ${inc.namespace}/${inc.workload}`,
          risk_score: 0.6,
        });
    }
  }
  return rows;
}
