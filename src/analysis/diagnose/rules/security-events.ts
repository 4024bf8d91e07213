/**
 * Attacks the platform's security events show (findings/security-events.ts): brute force and password
 * spraying from one source, high-risk bursts, privilege escalation. Named by the source or the event
 * type with what to do; containment is a human's call (no control-plane action blocks an IP).
 */
import type { Finding } from '../../types.js';
import { confidenceOf, type Rule, type RuleMatch } from '../common.js';

const PATTERNS = ['brute_force', 'password_spraying', 'risk_burst', 'privilege_escalation'] as const;
type Pattern = (typeof PATTERNS)[number];

const patternOf = (f: Finding): Pattern | undefined => {
  const p = f.details['pattern'];
  return f.kind === 'security' && f.details['source'] === 'security_events' && (PATTERNS as readonly string[]).includes(p as string)
    ? (p as Pattern)
    : undefined;
};

const str = (f: Finding, key: string) => (typeof f.details[key] === 'string' ? (f.details[key] as string) : '');
const n = (f: Finding, key: string) => (typeof f.details[key] === 'number' ? (f.details[key] as number) : 0);

function describe(f: Finding, p: Pattern): { cause: string; advice: string[] } {
  const ip = str(f, 'source_ip');
  switch (p) {
    case 'brute_force':
    case 'password_spraying':
      return {
        cause: `${p === 'brute_force' ? 'brute-force login attempts' : 'password spraying'} from ${ip}: ${n(f, 'failures')} failed logins against ${n(f, 'users')} user(s)`,
        advice: [
          `Block ${ip} at the ingress or WAF, check whether any login from it succeeded (security_events with source_ip ${ip}), and enforce login rate limits or MFA for the users it tried.`,
        ],
      };
    case 'risk_burst':
      return {
        cause: `burst of high-risk security events from ${ip} (${n(f, 'events')} events, risk up to ${n(f, 'max_risk_score')})`,
        advice: [`Review the security events of ${ip} and block it if they are not a known scanner or test.`],
      };
    case 'privilege_escalation': {
      const type = str(f, 'event_type');
      return {
        cause: `privilege escalation ${f.severity === 'critical' ? '' : 'attempts '}(${type}): ${n(f, 'failures')} denied, ${n(f, 'events') - n(f, 'failures')} allowed`,
        advice: [`Review who made the ${type} changes, revoke any role binding that was not approved, and rotate the credentials used.`],
      };
    }
  }
}

export const securityEventAttacks: Rule = {
  id: 'security_event_attack',
  cause: 'attack seen in the security events (brute force, spraying, risk burst, privilege escalation)',
  specificity: 78,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const f of findings) {
      const p = patternOf(f);
      if (!p || f.severity === 'info') continue;
      const { cause, advice } = describe(f, p);
      out.push({
        rule: this.id,
        cause,
        findings: [f],
        subject: { namespace: undefined, name: str(f, 'source_ip') || str(f, 'event_type') || 'workspace', kind: 'source' },
        confidence: confidenceOf([f], 0.4),
        advice,
      });
    }
    return out;
  },
  actions: () => [],
};
