/**
 * Property: a real JWT, with any text before and after it and under any percent-encoding (none,
 * encodeURIComponent, every or some characters escaped, upper or lower hex, up to four times over,
 * JSON quoting), never survives redaction: neither its payload nor its signature is in the output,
 * nor in the output fully percent-decoded.
 */
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { redactString } from '../../../src/audit/redact.js';
import { redactUrl } from '../../../src/http/log-serializers.js';

let tokens: string[] = [];

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('RS256');
  tokens = await Promise.all(
    ['ws-a', 'ws-b', 'tenant-with-a-long-name-0123456789'].map((ws, i) =>
      new SignJWT({ workspace_id: ws, permissions: ['aiops:read'], plan_type: 'shared' })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: `k${i}` })
        .setSubject(`user-${i}`)
        .setIssuer('hexabase-control-plane')
        .setAudience('hexabase-aiops')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    ),
  );
});

const hex = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};
/** One level of encoding; `mask[i]` says whether character i is escaped in the "some" encoding. */
type Encoding = (s: string) => string;
const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
  fc.constant<Encoding>((s) => s),
  fc.constant<Encoding>((s) => encodeURIComponent(s)),
  fc.boolean().map<Encoding>((upper) => (s) => [...s].map((c) => hex(c, upper)).join('')),
  fc.tuple(fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }), fc.boolean()).map<Encoding>(
    ([mask, upper]) =>
      (s) =>
        [...s].map((c, i) => (mask[i % mask.length] ? hex(c, upper) : c)).join(''),
  ),
  fc.constant<Encoding>((s) => JSON.stringify(s)),
);
const affix = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'Bearer ',
    'Bearer%20',
    'Bearer+',
    '%22',
    '"',
    'x',
    'a=',
    '?x=Bearer%20',
    'Authorization: Bearer ',
    '%2',
    '%',
    'eyJaaaaaa.',
    '.',
    '-_',
  ),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('%20', '%22', 'q', '%2', '=')).map(([a, b]) => a + b),
);

/** Decodes ASCII percent-escapes until nothing changes (what a reader of the log could do). */
function decodeAll(text: string): string {
  let out = text;
  for (;;) {
    const next = out.replace(/%([0-7][0-9A-Fa-f])/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    if (next === out) return out;
    out = next;
  }
}

describe('redaction of a JWT anywhere', () => {
  it('regressions: after %20, %22 or a letter in a query value', () => {
    const jwt = tokens[0]!;
    const [, payload, signature] = jwt.split('.');
    for (const url of [
      `/a?x=Bearer%20${jwt}`,
      `/a?x=%22${jwt}%22`,
      `/a?x=a${jwt}`,
      `/a?x=Bearer+${jwt}`,
      `/a?x=${encodeURIComponent(`Bearer ${jwt}`)}`,
    ]) {
      const out = redactUrl(url);
      expect(out).not.toContain(payload);
      expect(out).not.toContain(signature);
      expect(out.startsWith('/a?x=')).toBe(true);
    }
  });

  it('keeps text without secrets as it was (encoding included)', () => {
    for (const text of ['/workspaces/ws-a/metrics?query=rate(x%5B5m%5D)&step=60', 'pod%2Fweb-1 failed', 'Token expired', 'plain text']) {
      expect(redactString(text)).toBe(text);
    }
  });

  it('property: prefix + encoded JWT + suffix never shows the payload or the signature', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tokens),
        affix,
        affix,
        fc.array(encodingArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (jwt, prefix, suffix, encodings, asUrl) => {
          const [, payload, signature] = jwt.split('.') as [string, string, string];
          const encoded = encodings.reduce((s, enc) => enc(s), jwt);
          const text = `${prefix}${encoded}${suffix}`;
          const out = asUrl ? redactUrl(`/workspaces/ws-a/access?q=${text}`) : redactString(text);
          for (const view of [out, decodeAll(out)]) {
            expect(view).not.toContain(payload);
            expect(view).not.toContain(signature);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
