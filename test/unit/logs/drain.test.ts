/** Drain template mining (src/logs/drain.ts) and window-vs-window patterns (src/logs/log-patterns.ts). */
import { describe, expect, it } from 'vitest';
import { Drain, maskLine, templateText } from '../../../src/logs/drain.js';
import { minePatterns } from '../../../src/logs/log-patterns.js';
import type { LogLine } from '../../../src/logs/logs-source.js';

describe('maskLine', () => {
  it.each([
    ['dial tcp 10.0.0.5:5432: connect: connection refused', 'dial tcp <IP>: connect: connection refused'],
    ['GET /cart/42 200 in 12ms', 'GET /cart/<NUM> <NUM> in <NUM>'],
    ['user "alice" not found', 'user <STR> not found'],
    ['request 7f3c2a1b-9d4e-4c1f-8a2b-3c4d5e6f7a8b failed', 'request <UUID> failed'],
    ['trace 4bf92f3577b34da6a3ce929d0e0e4736 sampled', 'trace <HEX> sampled'],
    ['at 2026-12-05T10:00:00.123Z retry 3 of 5', 'at <TIME> retry <NUM> of <NUM>'],
    ['deadbeef is a word, v2 is not a number', 'deadbeef is a word, v2 is not a number'],
  ])('%s', (line, masked) => {
    expect(maskLine(line)).toBe(masked);
  });
});

describe('Drain', () => {
  it('merges lines that differ in variable tokens into one template with <*>, and keeps different messages apart', () => {
    const d = new Drain();
    const a = d.add('payment for order ORD-1 declined by provider visa');
    const b = d.add('payment for order ORD-2 declined by provider amex');
    const c = d.add('cache warmed in 12ms');
    const e = d.add('dial tcp 10.0.0.5:5432: connect: connection refused');
    expect(b.id).toBe(a.id);
    expect(templateText(a)).toBe('payment for order ORD-<NUM> declined by provider <*>');
    expect(c.id).not.toBe(a.id);
    expect(templateText(e)).toBe('dial tcp <IP>: connect: connection refused');
    expect(d.clusters().map((x) => x.size)).toEqual([2, 1, 1]);
  });

  it('is deterministic and bounded: the same lines give the same templates; past maxClusters lines go to <overflow>', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `event${i % 7} happened to thing${i % 3} at step ${i}`);
    const run = () => {
      const d = new Drain();
      for (const l of lines) d.add(l);
      return d.clusters().map((c) => [templateText(c), c.size]);
    };
    expect(run()).toEqual(run());
    const small = new Drain({ maxClusters: 2 });
    for (const w of ['alpha', 'beta', 'gamma', 'delta']) small.add(`${w} one two three`);
    expect(small.clusters().map((c) => [templateText(c), c.size])).toEqual([
      ['alpha one two three', 1],
      ['beta one two three', 1],
      ['<overflow>', 2],
    ]);
    const long = new Drain({ maxTokens: 4, maxLineChars: 30 });
    expect(long.tokens('a b c d e f g h i j k l m n o p q r s t u v w x y z')).toEqual(['a', 'b', 'c', 'd']);
  });
});

const line = (ms: number, body: string, o: Partial<LogLine> = {}): LogLine => ({
  timestampMs: ms,
  severityText: 'INFO',
  severityNumber: 9,
  service: 'api',
  namespace: 'shop',
  pod: 'api-1',
  container: 'api',
  deployment: 'api',
  body,
  traceId: '',
  ...o,
});
const err = { severityText: 'ERROR', severityNumber: 17 };

describe('minePatterns', () => {
  it('new and surging error templates first, with counts now and before, workloads and the newest example', () => {
    const previous = [
      ...Array.from({ length: 10 }, (_, i) => line(i, `GET /cart/${i} 200 in ${i}ms`)),
      ...Array.from({ length: 2 }, (_, i) => line(20 + i, `payment ${i} timed out after 30s`, err)),
    ];
    const current = [
      ...Array.from({ length: 12 }, (_, i) => line(100 + i, `GET /cart/${i} 200 in ${i}ms`)),
      ...Array.from({ length: 10 }, (_, i) => line(200 + i, `payment ${i} timed out after 30s`, err)),
      ...Array.from({ length: 5 }, (_, i) =>
        line(300 + i, `dial tcp 10.0.0.${i}:5432: connect: connection refused`, { ...err, deployment: 'worker' }),
      ),
      line(400, 'a one-off line'),
    ];
    const patterns = minePatterns(current, previous);
    expect(patterns.map((p) => [p.template, p.count, p.previousCount, p.isNew, p.surge])).toEqual([
      ['dial tcp <IP>: connect: connection refused', 5, 0, true, null],
      ['payment <NUM> timed out after <NUM>', 10, 2, false, 5],
      ['GET /cart/<NUM> <NUM> in <NUM>', 12, 10, false, 1.2],
    ]);
    expect(patterns[0]).toMatchObject({ firstSeenMs: 300, lastSeenMs: 304, maxSeverity: 17, workloads: ['shop/worker'] });
    expect(patterns[0]!.example).toBe('dial tcp 10.0.0.4:5432: connect: connection refused');
  });
});

describe('Drain routing', () => {
  it('lines whose second token varies (user alice / user bob) meet in one leaf and merge', () => {
    const d = new Drain();
    const a = d.add('user alice logged out after 3 requests');
    const b = d.add('user bob logged out after 7 requests');
    expect(b.id).toBe(a.id);
    expect(templateText(a)).toBe('user <*> logged out after <NUM> requests');
  });

  it('nothing is new when the window before had no line at all (logs just started, or retention ended)', () => {
    const current = Array.from({ length: 6 }, (_, i) => line(100 + i, `dial tcp 10.0.0.${i}:5432: connect: connection refused`, err));
    expect(minePatterns(current, []).map((p) => [p.isNew, p.surge])).toEqual([[false, null]]);
    // A filtered read (errors only) may find nothing before while the service logged plenty: the caller says so.
    expect(minePatterns(current, [], {}, true).map((p) => p.isNew)).toEqual([true]);
  });
});
