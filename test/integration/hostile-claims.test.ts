/**
 * Hostile numeric claims, the control-plane token's lifetime and the opt-in for the seed's claim set,
 * each sent through the real app (guard, verifier, routes, error handler).
 */
import { createSign } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, testEnv } from '../helpers/app.js';
import { AUDIENCE, contractClaims, ISSUER, rsaKey, signRaw, type RsaKey } from '../helpers/keys.js';

let key: RsaKey;
let strict: FastifyInstance;
const apps: FastifyInstance[] = [];
const now = () => Math.floor(Date.now() / 1000);
const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** Signs a payload given as JSON *text*, so it can hold numbers JSON.stringify cannot write (1e309). */
function signJsonText(payloadJson: string): string {
  const input = `${b64(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64(payloadJson)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key.privatePem).toString('base64url')}`;
}
const rs = (payload: Record<string, unknown>) => signRaw({ alg: 'RS256', typ: 'JWT' }, payload, key.privatePem);
const claims = (patch: Record<string, unknown> = {}) => {
  const c: Record<string, unknown> = { ...contractClaims(), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete c[k];
  return c;
};
/** The claims the seed's README documents: no aud, no iat. */
const seedClaims = (patch: Record<string, unknown> = {}) => claims({ aud: undefined, iat: undefined, ...patch });
const internalClaims = (patch: Record<string, unknown> = {}) => {
  const iat = now();
  const c: Record<string, unknown> = {
    sub: 'user-9',
    user_id: 'user-9',
    org_ids: ['org-1'],
    active_workspace_id: 'ws-a',
    token_type: 'internal-aiops-v1',
    iss: ISSUER,
    aud: ['hexabase-aiops-service'],
    iat,
    exp: iat + 10,
    ...patch,
  };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete c[k];
  return c;
};

async function access(app: FastifyInstance, token: string) {
  const res = await app.inject({ url: '/workspaces/ws-a/access', headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}
async function validate(app: FastifyInstance, token: string, via: 'header' | 'body') {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/validate',
    ...(via === 'header' ? { headers: { authorization: `Bearer ${token}` } } : { payload: { token } }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

async function appWith(env: Record<string, string>, logs?: string[]): Promise<FastifyInstance> {
  const stream = new Writable({ write: (chunk, _e, cb) => void (logs?.push(String(chunk)), cb()) });
  const app = await testApp(
    testEnv(key, { JWT_AUDIENCE: `${AUDIENCE},hexabase-aiops-service`, ...env }),
    logs ? { logger: { level: 'warn', stream } } : {},
  );
  apps.push(app);
  return app;
}

beforeAll(async () => {
  key = await rsaKey();
  strict = await appWith({});
});
afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('numeric claims out of range are 401, never 500', () => {
  const huge: [string, () => string, string][] = [
    ['exp: 1e300', () => rs(claims({ exp: 1e300 })), 'invalid_claims'],
    [
      'exp: 1e309 (JSON parses it to Infinity)',
      () => signJsonText(JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e309')),
      'invalid_claims',
    ],
    ['exp: -1', () => rs(claims({ exp: -1 })), 'expired'],
    ['exp: 1.5', () => rs(claims({ exp: 1.5 })), 'expired'],
    ['iat: 1e300', () => rs(claims({ iat: 1e300 })), 'invalid_issued_at'],
    ['iat: -1e300', () => rs(claims({ iat: -1e300 })), 'token_too_old'],
    ['nbf: 1e300', () => rs(claims({ nbf: 1e300 })), 'not_yet_valid'],
    ['nbf: -1e300', () => rs(claims({ nbf: -1e300 })), 'invalid_claims'],
    ['nbf: -1e309', () => signJsonText(JSON.stringify(claims({ nbf: 0 })).replace('"nbf":0', '"nbf":-1e309')), 'invalid_claims'],
    // Found by the fuzz suite: a 257-character subject passed verification and then could not be audited (503).
    ['sub of 257 characters', () => rs(claims({ sub: 'a'.repeat(257) })), 'invalid_claims'],
    ['jti of 257 characters', () => rs(claims({ jti: 'j'.repeat(257) })), 'invalid_claims'],
  ];

  it.each(huge)('%s → 401 %s on the guarded route and on /auth/validate (header and body)', async (_name, token, reason) => {
    const t = token();
    for (const res of [await access(strict, t), await validate(strict, t, 'header'), await validate(strict, t, 'body')]) {
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.reason).toBe(reason);
    }
  });

  it('a fractional exp in range is a valid NumericDate (RFC 7519) and is reported as a date', async () => {
    const exp = now() + 600.5;
    const res = await validate(strict, rs(claims({ exp })), 'header');
    expect(res.status).toBe(200);
    expect(res.body.expires_at).toBe(new Date(exp * 1000).toISOString());
  });

  it('any number in exp, iat or nbf gives 200 or 401, and a 200 carries a real date', async () => {
    const numeric = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -1e10, max: 1e13 }),
      fc.constantFrom(1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, 253_402_300_799, 253_402_300_800, 8.64e12),
      fc.integer({ min: -100_000, max: 100_000 }).map((d) => now() + d),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('exp', 'iat', 'nbf'), numeric, async (claim, value) => {
        const res = await access(strict, rs(claims({ [claim]: value })));
        expect([200, 401], JSON.stringify({ claim, value, body: res.body })).toContain(res.status);
        if (res.status === 200) expect(Number.isNaN(Date.parse(String(res.body.expires_at)))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the internal-aiops-v1 token lifetime (exp - iat)', () => {
  it('accepts the control plane 10 s token and refuses a longer one or one without iat', async () => {
    expect((await access(strict, rs(internalClaims()))).status).toBe(200);
    const iat = now();
    for (const token of [
      rs(internalClaims({ iat, exp: iat + 11 })),
      rs(internalClaims({ iat: iat - 3590, exp: iat + 10 })),
      rs(internalClaims({ iat, exp: iat + 86_400 })),
    ]) {
      const res = await access(strict, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ reason: 'invalid_claims', message: expect.stringMatching(/at most 10 s/) });
    }
    const noIat = await access(strict, rs(internalClaims({ iat: undefined })));
    expect(noIat).toMatchObject({ status: 401, body: { reason: 'invalid_claims' } });
  });

  it('the bound is JWT_INTERNAL_TOKEN_MAX_LIFETIME_SECONDS', async () => {
    const app = await appWith({ JWT_INTERNAL_TOKEN_MAX_LIFETIME_SECONDS: '60' });
    const iat = now();
    expect((await access(app, rs(internalClaims({ iat, exp: iat + 60 })))).status).toBe(200);
    expect((await access(app, rs(internalClaims({ iat, exp: iat + 61 })))).body.reason).toBe('invalid_claims');
  });

  it('an internal token must name the control plane audience, and keeps requiring aud and iat under the opt-ins', async () => {
    const lax = await appWith({ JWT_REQUIRE_AUDIENCE: 'false', JWT_REQUIRE_IAT: 'false' });
    expect((await access(strict, rs(internalClaims({ aud: AUDIENCE })))).body.reason).toBe('invalid_claims');
    expect((await access(lax, rs(internalClaims({ aud: undefined })))).body.reason).toBe('invalid_claims');
    expect((await access(lax, rs(internalClaims({ iat: undefined })))).body.reason).toBe('invalid_claims');
    expect((await access(lax, rs(internalClaims()))).status).toBe(200);
  });
});

describe("the seed's claim set (no aud, no iat)", () => {
  it('is refused by default', async () => {
    const res = await access(strict, rs(seedClaims()));
    expect(res.status).toBe(401);
    expect((await access(strict, rs(seedClaims({ iat: now() })))).body.reason).toBe('invalid_audience');
  });

  it('is accepted with JWT_REQUIRE_AUDIENCE=false and JWT_REQUIRE_IAT=false, within limits, with one warning each at start', async () => {
    const logs: string[] = [];
    const lax = await appWith({ JWT_REQUIRE_AUDIENCE: 'false', JWT_REQUIRE_IAT: 'false', JWT_MAX_AGE_SECONDS: '3600' }, logs);
    expect(await access(lax, rs(seedClaims()))).toMatchObject({
      status: 200,
      body: { workspace_id: 'ws-a', token_type: 'aiops-contract' },
    });
    expect((await validate(lax, rs(seedClaims()), 'body')).status).toBe(200);
    // A present claim is still checked: a wrong audience, an old or future iat.
    expect((await access(lax, rs(seedClaims({ aud: 'another-service' })))).body.reason).toBe('invalid_audience');
    expect((await access(lax, rs(seedClaims({ aud: [] })))).body.reason).toBe('invalid_audience');
    expect((await access(lax, rs(seedClaims({ iat: now() - 4000 })))).body.reason).toBe('token_too_old');
    expect((await access(lax, rs(seedClaims({ iat: now() + 600 })))).body.reason).toBe('invalid_issued_at');
    // Without iat, the remaining life is bounded by JWT_MAX_AGE_SECONDS (+ the 5 s tolerance).
    expect((await access(lax, rs(seedClaims({ exp: now() + 3600 })))).status).toBe(200);
    const long = await access(lax, rs(seedClaims({ exp: now() + 3700 })));
    expect(long).toMatchObject({ status: 401, body: { reason: 'invalid_claims', message: expect.stringMatching(/JWT_MAX_AGE_SECONDS/) } });
    expect((await access(lax, rs(seedClaims({ exp: 1e300 })))).body.reason).toBe('invalid_claims');
    expect((await access(lax, rs(seedClaims({ exp: now() - 60 })))).body.reason).toBe('expired');
    // Everything else stays strict.
    expect((await access(lax, rs(seedClaims({ iss: 'evil' })))).body.reason).toBe('invalid_issuer');
    expect((await access(lax, `${b64('{"alg":"RS256"}')}.${b64('not json')}.sig`)).body.reason).toBe('malformed_token');

    const warnings = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings.filter((w) => w.msg.startsWith('JWT_REQUIRE_AUDIENCE=false'))).toHaveLength(1);
    expect(warnings.filter((w) => w.msg.startsWith('JWT_REQUIRE_IAT=false'))).toHaveLength(1);
  });

  it('each opt-in waives only its own claim', async () => {
    const noAud = await appWith({ JWT_REQUIRE_AUDIENCE: 'false' });
    expect((await access(noAud, rs(seedClaims()))).body.reason).toBe('invalid_claims'); // iat still required
    expect((await access(noAud, rs(seedClaims({ iat: now() })))).status).toBe(200);
    const noIat = await appWith({ JWT_REQUIRE_IAT: 'false' });
    expect((await access(noIat, rs(seedClaims()))).body.reason).toBe('invalid_audience');
    expect((await access(noIat, rs(seedClaims({ aud: AUDIENCE })))).status).toBe(200);
  });

  it('the strict default logs no warning', async () => {
    const logs: string[] = [];
    await appWith({}, logs);
    expect(logs.filter((l) => l.includes('JWT_REQUIRE_'))).toEqual([]);
  });
});
