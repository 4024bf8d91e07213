/**
 * Security analysers over the platform's security events (folded by source IP and by event type,
 * as the security_events tool answers them): many failed logins from one source (brute force; against
 * many users, password spraying), bursts of high-risk events from one source, and privilege-escalation
 * attempts. Each becomes a `security` finding citing the folded events (count, failures, users, first and
 * last seen, the newest message — untrusted text, cut) and feeds the security analysis and its rules.
 */
import { oneLine } from '../readable.js';
import type { Evidence, Finding, Severity } from '../types.js';

/** One group of security events (a source IP or an event type) as the security_events tool answers it. */
export interface SecurityGroupRecord {
  key: string;
  count: number;
  failures: number;
  users: number;
  sources: number;
  max_risk_score: number;
  first_seen: string;
  last_seen: string;
  event_type: string;
  action: string;
  resource: string;
  message: string;
}

/** Failed logins from one source in the window before it is a finding, and before it is critical. */
export const BRUTE_FORCE_MIN_FAILURES = 10;
const BRUTE_FORCE_CRITICAL_FAILURES = 50;
/** Distinct users one source failed against: past this it is password spraying (critical). */
const SPRAYING_MIN_USERS = 5;
/** High risk (on a 0–1 scale) and how many events of one source make a burst. */
const HIGH_RISK = 0.8;
const RISK_BURST_MIN_EVENTS = 3;

const AUTH = /login|log-in|logon|sign[ _-]?in|auth|password|credential|token|ssh/i;
const ESCALATION = /privilege|escalat|rolebinding|clusterrole|impersonat|sudo|setuid|root|admin/i;

/** Scores written as 0–100 are read on the 0–1 scale. */
const normalisedRisk = (v: number) => (v > 1 ? v / 100 : v);

function evidence(by: string, g: SecurityGroupRecord, value: number, what: string): Evidence[] {
  return [
    {
      series: `security_events{${by}=${JSON.stringify(g.key)}}`,
      time: new Date(Date.parse(g.last_seen)).toISOString(),
      value,
      why: oneLine(
        `${what} (first ${g.first_seen}, last ${g.last_seen}); newest: ${g.event_type} ${g.action} ${g.resource}: ${g.message}`,
        300,
      ),
    },
  ];
}

function finding(
  id: string,
  severity: Severity,
  title: string,
  score: number,
  g: SecurityGroupRecord,
  ev: Evidence[],
  details: Record<string, unknown>,
): Finding {
  return {
    id,
    kind: 'security',
    severity,
    title,
    resource: {},
    score: Math.min(1, Math.max(0, score)),
    started_at: new Date(Date.parse(g.first_seen)).toISOString(),
    evidence: ev,
    details: {
      source: 'security_events',
      events: g.count,
      failures: g.failures,
      users: g.users,
      max_risk_score: g.max_risk_score,
      ...details,
    },
  };
}

/** Brute force / password spraying and high-risk bursts, from groups by source IP. */
export function sourceFindings(bySource: readonly SecurityGroupRecord[]): Finding[] {
  const out: Finding[] = [];
  for (const g of bySource) {
    if (!g.key) continue;
    const auth = AUTH.test(g.event_type) || AUTH.test(g.action) || AUTH.test(g.message);
    if (auth && g.failures >= BRUTE_FORCE_MIN_FAILURES) {
      const spraying = g.users >= SPRAYING_MIN_USERS;
      const critical = spraying || g.failures >= BRUTE_FORCE_CRITICAL_FAILURES;
      const what = `${g.failures} failed login(s) from ${g.key} against ${g.users} user(s)`;
      out.push(
        finding(
          `security:${spraying ? 'password_spraying' : 'brute_force'}:${g.key}`,
          critical ? 'critical' : 'warning',
          `${spraying ? 'Password spraying' : 'Brute-force login attempts'}: ${what}`,
          0.5 + g.failures / 100 + (spraying ? 0.2 : 0),
          g,
          evidence('source_ip', g, g.failures, what),
          { pattern: spraying ? 'password_spraying' : 'brute_force', source_ip: g.key },
        ),
      );
      continue;
    }
    const risk = normalisedRisk(g.max_risk_score);
    if (risk >= HIGH_RISK && g.count >= RISK_BURST_MIN_EVENTS) {
      const what = `${g.count} security event(s) from ${g.key} up to risk ${g.max_risk_score}`;
      out.push(
        finding(
          `security:risk_burst:${g.key}`,
          risk >= 0.95 ? 'critical' : 'warning',
          `High-risk burst: ${what}`,
          risk,
          g,
          evidence('source_ip', g, g.count, what),
          {
            pattern: 'risk_burst',
            source_ip: g.key,
          },
        ),
      );
    }
  }
  return out;
}

/** Privilege-escalation attempts (denied: warning) and successes with risk (critical), from groups by event type. */
export function escalationFindings(byType: readonly SecurityGroupRecord[]): Finding[] {
  const out: Finding[] = [];
  for (const g of byType) {
    if (!ESCALATION.test(g.key) && !ESCALATION.test(g.action)) continue;
    const succeeded = g.count - g.failures;
    const risky = normalisedRisk(g.max_risk_score) >= 0.5;
    if (g.failures === 0 && !(succeeded > 0 && risky)) continue;
    const critical = succeeded > 0 && risky;
    const what = `${g.failures} denied and ${succeeded} allowed ${g.key} event(s) by ${g.users} user(s) from ${g.sources} source(s)`;
    out.push(
      finding(
        `security:privilege_escalation:${g.key}`,
        critical ? 'critical' : 'warning',
        `Privilege escalation ${critical ? '' : 'attempts '}(${g.key}): ${what}`,
        critical ? 0.9 : 0.6,
        g,
        evidence('event_type', g, g.count, what),
        { pattern: 'privilege_escalation', event_type: g.key },
      ),
    );
  }
  return out;
}
