/**
 * Deterministic answers about what the workspace's logs and Kubernetes events say: the lines or events
 * themselves, newest first, cut short. Log bodies and event messages are untrusted text: quoted as
 * data, one line each, never followed.
 */
import { sourceFindings } from '../../src/analysis/findings/security-events.js';
import { oneLine } from '../../src/analysis/readable.js';
import type { ListEventsOutput, QueryLogsOutput, SecurityEventsOutput } from '../../tools/index.js';

/** Lines or events shown in one answer; the rest are counted. */
const SHOWN = 10;
const TEXT_MAX = 200;

const between = (w: { start: string; end: string }) => `between ${w.start} and ${w.end}`;

export function logsText(data: QueryLogsOutput, what: string): string {
  const shown = data.lines.slice(0, SHOWN).map((l) => {
    const where = [l.namespace, l.deployment || l.pod || l.service].filter(Boolean).join('/');
    return `- ${l.time} ${l.severity} ${where}${l.pod && l.deployment ? ` (${l.pod})` : ''}: ${oneLine(l.body, TEXT_MAX)}`;
  });
  const more = data.count > SHOWN ? `\n(${data.count - SHOWN} more of the ${data.count} read; the limit was ${data.limit}.)` : '';
  return `${data.count} ${what} ${between(data.window)}, newest first:\n${shown.join('\n')}${more}`;
}

export function eventsText(data: ListEventsOutput): string {
  const shown = data.events.slice(0, SHOWN).map((e) => {
    const object = `${e.namespace ? `${e.namespace}/` : ''}${e.kind}/${e.name}`;
    return `- ${e.last_seen} ${e.reason} on ${object} ×${e.count}: ${oneLine(e.message, TEXT_MAX)}`;
  });
  const more = data.count > SHOWN ? `\n(${data.count - SHOWN} more groups.)` : '';
  return `${data.count} warning event group(s) ${between(data.window)}, newest first:\n${shown.join('\n')}${more}`;
}

/** Security events by source, most failures first, with what the security analysers make of them. */
export function securityText(data: SecurityEventsOutput): string {
  const failed = data.groups.reduce((n, g) => n + g.failures, 0);
  const shown = data.groups
    .slice(0, SHOWN)
    .map(
      (g) =>
        `- ${g.key || '(no source)'}: ${g.failures} failed of ${g.count} (${g.users} user(s)), last ${g.last_seen}: ${oneLine(g.message, TEXT_MAX)}`,
    );
  const verdicts = sourceFindings(data.groups).map((f) => `- ${f.severity}: ${f.title}`);
  return [
    `${failed} failed security event(s) from ${data.groups.length} source(s) ${between(data.window)}, most failures first:`,
    ...shown,
    verdicts.length > 0
      ? `\nWhat they look like:\n${verdicts.join('\n')}`
      : '\nNothing here looks like an attack (no source over the brute-force threshold, no high-risk burst).',
  ].join('\n');
}
