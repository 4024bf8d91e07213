/** No token, password or API key survives redaction. */
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../../src/audit/event.js';
import { REDACTED, redact, redactString } from '../../../src/audit/redact.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJ3b3Jrc3BhY2VfaWQiOiJ3cy1hIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
export const SECRETS = [
  JWT,
  'sk-proj-abcdefghijklmnop1234567890',
  'hunter2-password',
  'ghp_abcdefghijklmnopqrstuvwxyz0123',
  'AKIAABCDEFGHIJKLMNOP',
  's3cr3t-pg-pass',
];

const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);

describe('redaction', () => {
  it('masks values under secret keys, at any depth', () => {
    const o = redact({
      password: 'hunter2-password',
      apiKey: 'x',
      api_key: 'y',
      OPENAI_API_KEY: 'z',
      client_secret: 'w',
      nested: { headers: { Authorization: `Bearer ${JWT}`, cookie: 'sid=1' }, list: [{ token: 'abc' }] },
      token_type: 'aiops-contract',
      input_tokens: 12,
      ns: 'default',
    });
    const out = {
      password: at(o, 'password'),
      apiKey: at(o, 'apiKey'),
      api_key: at(o, 'api_key'),
      OPENAI_API_KEY: at(o, 'OPENAI_API_KEY'),
      client_secret: at(o, 'client_secret'),
      token_type: at(o, 'token_type'),
      input_tokens: at(o, 'input_tokens'),
      ns: at(o, 'ns'),
    };
    expect(out.password).toBe(REDACTED);
    expect(out.apiKey).toBe(REDACTED);
    expect(out.api_key).toBe(REDACTED);
    expect(out.OPENAI_API_KEY).toBe(REDACTED);
    expect(out.client_secret).toBe(REDACTED);
    expect(at(o, 'nested', 'headers', 'Authorization')).toBe(REDACTED);
    expect(at(o, 'nested', 'headers', 'cookie')).toBe(REDACTED);
    expect(at(o, 'nested', 'list', 0, 'token')).toBe(REDACTED);
    expect(out.token_type).toBe('aiops-contract');
    expect(out.input_tokens).toBe(12);
    expect(out.ns).toBe('default');
  });

  it('masks secret-looking text anywhere', () => {
    const text =
      `curl -H "Authorization: Bearer ${JWT}" https://admin:s3cr3t-pg-pass@db:5432/x?api_key=sk-proj-abcdefghijklmnop1234567890 ` +
      'password=hunter2-password ghp_abcdefghijklmnopqrstuvwxyz0123 AKIAABCDEFGHIJKLMNOP ' +
      '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----';
    const out = redactString(text);
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).not.toContain('MIIE');
    expect(out).toContain('https://admin:[redacted]@db:5432');
  });

  it('is applied to every event before it is stored', () => {
    const e = normalizeEvent({
      event_type: 'tool_call',
      workspace_id: 'ws-a',
      resource_id: `/x?token=${JWT}`,
      details: {
        tool: 'exec',
        required_scope: 'aiops:remediate',
        arguments: { cmd: `login --password hunter2-password`, apiKey: 'sk-proj-abcdefghijklmnop1234567890' },
        status: 'error',
        duration_ms: 1,
        error: `401 for Bearer ${JWT}`,
      },
    });
    const stored = JSON.stringify(e);
    for (const s of SECRETS) expect(stored).not.toContain(s);
    expect(e.initiated_by).toBe('AIOpsAgent');
    expect(e.outcome).toBe('error');
  });

  it('bounds depth and size', () => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).toContain('[truncated]');
    expect((redact('x'.repeat(10_000)) as string).length).toBeLessThan(8300);
  });

  it('remembers only clean strings: a secret is masked every time, also after the memo fills and empties', () => {
    const secret = `route /x?access_token=${JWT}`;
    for (let round = 0; round < 3; round++) {
      expect(redactString(secret)).not.toContain(JWT);
      expect(redactString('/workspaces/:workspace_id/alerts')).toBe('/workspaces/:workspace_id/alerts');
      expect(redact({ token: 'abc', scope: 'aiops:read' })).toEqual({ token: REDACTED, scope: 'aiops:read' });
      for (let i = 0; i < 5000; i++) redactString(`clean-${round}-${i}`); // more than the memo holds
    }
    // a clean prefix remembered does not vouch for a longer string that carries a secret
    expect(redactString('Bearer')).toBe('Bearer');
    expect(redactString(`Bearer ${JWT}`)).toBe(`Bearer ${REDACTED}`);
  });
});
