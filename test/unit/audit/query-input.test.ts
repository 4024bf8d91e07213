import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parseTime, resolveRange, visibleTypes } from '../../../src/audit/query-input.js';

describe('audit query input', () => {
  it('parses RFC 3339 with a zone and Unix seconds', () => {
    expect(parseTime('2026-01-31T12:00:00Z', 'from')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseTime('2026-01-31T13:00:00.250+01:00', 'from')).toBe(Date.UTC(2026, 0, 31, 12) + 250);
    expect(parseTime('1769860800', 'from')).toBe(1769860800_000);
    expect(parseTime('1769860800.5', 'from')).toBe(1769860800_500);
    for (const bad of ['2026-01-31', '2026-01-31T12:00:00', 'yesterday', '-5', '1e9', ''])
      expect(typeof parseTime(bad, 'from')).toBe('string');
  });

  it('defaults to the last 24 h and refuses inverted or too wide ranges', () => {
    expect(resolveRange(undefined, undefined, 100 * 86_400_000)).toEqual({ fromMs: 99 * 86_400_000, toMs: 100 * 86_400_000 });
    expect(resolveRange('200', '100')).toMatch(/after/);
    expect(resolveRange('0', String(40 * 86_400))).toMatch(/wider than 31 days/);
    expect(resolveRange('nope', undefined)).toMatch(/RFC 3339/);
  });

  it('round-trips cursors and refuses forged ones', () => {
    const c = { ts: 1769860800123, id: '0b6f2a4e-1c1d-4c55-9a43-2b1f6a2f0c11' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('not a cursor')).toBeUndefined();
    expect(decodeCursor(Buffer.from('[1,"x\' OR 1=1"]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('[-1,"a"]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"ts":1}').toString('base64url'))).toBeUndefined();
  });

  it('admins see every type; others see AI actions and only their own authorization decisions', () => {
    expect(visibleTypes(['aiops:admin'])).toEqual({
      all: ['authorization', 'tool_call', 'llm_call', 'remediation', 'insight', 'incident', 'alert_intake', 'notification'],
      own: [],
    });
    expect(visibleTypes(['aiops:read', 'aiops:remediate'])).toEqual({
      all: ['tool_call', 'llm_call', 'remediation', 'insight', 'incident', 'alert_intake', 'notification'],
      own: ['authorization'],
    });
  });
});
