/**
 * The verified-token cache: a token verified once is served from memory, never past the moment a
 * fresh verification would refuse it (expiry with the clock tolerance, age limit), failures are never
 * cached, any other string is verified afresh, and JWT_VERIFY_CACHE_SECONDS=0 turns it off.
 */
import { importSPKI, type JWTVerifyGetKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/auth-error.js';
import { createTokenVerifier } from '../../../src/auth/token-verifier.js';
import { loadConfig } from '../../../src/config.js';
import { contractClaims, rsaKey, signRaw, type RsaKey } from '../../helpers/keys.js';

let key: RsaKey;
let getKey: JWTVerifyGetKey;
beforeAll(async () => {
  key = await rsaKey();
  const publicKey = await importSPKI(key.publicPem, 'RS256');
  getKey = async () => publicKey;
});

/** A getKey that counts signature checks (each verification asks for the key once). */
function counting() {
  const state = { lookups: 0 };
  const counted: JWTVerifyGetKey = async (header, token) => {
    state.lookups++;
    return (getKey as (h: typeof header, t: typeof token) => ReturnType<JWTVerifyGetKey>)(header, token);
  };
  return { state, counted };
}

const jwtConfig = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', JWT_PUBLIC_KEY: key.publicPem, ...env }).jwt;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown> = {}) =>
  signRaw({ alg: 'RS256', typ: 'JWT' }, { ...contractClaims(), ...claims }, key.privatePem);

describe('verified-token cache', () => {
  it('verifies a token once and serves it again from memory', async () => {
    const { state, counted } = counting();
    const verify = createTokenVerifier(jwtConfig(), counted);
    const token = sign();
    const first = await verify(token);
    const second = await verify(token);
    expect(second).toEqual(first);
    expect(state.lookups).toBe(1);
    await verify(sign({ sub: 'someone-else' }));
    expect(state.lookups).toBe(2);
  });

  it('never serves a token after its expiry (with the clock tolerance), nor past its age limit, nor past the cache time', async () => {
    const { state, counted } = counting();
    let clock = Date.now();
    const verify = createTokenVerifier(jwtConfig({ JWT_CLOCK_TOLERANCE_SECONDS: '5', JWT_VERIFY_CACHE_SECONDS: '60' }), counted, {
      now: () => clock,
    });
    const expiring = sign({ exp: nowSeconds() + 10 });
    await verify(expiring);
    clock += 14_000;
    await verify(expiring);
    expect(state.lookups).toBe(1); // within exp + tolerance: from memory
    clock += 2_000; // past exp + 5 s tolerance: verified afresh (jose, on the real clock, decides then)
    await verify(expiring);
    expect(state.lookups).toBe(2);

    clock = Date.now();
    const longLived = sign({ exp: nowSeconds() + 3000 });
    await verify(longLived);
    clock += 59_000;
    await verify(longLived);
    expect(state.lookups).toBe(3);
    clock += 2_000; // the cache time (60 s) is up: verified again
    await verify(longLived);
    expect(state.lookups).toBe(4);

    // iat + JWT_MAX_AGE_SECONDS ends it too.
    clock = Date.now();
    const aging = createTokenVerifier(jwtConfig({ JWT_MAX_AGE_SECONDS: '20', JWT_CLOCK_TOLERANCE_SECONDS: '0' }), counted, {
      now: () => clock,
    });
    const old = sign({ iat: nowSeconds() - 15, exp: nowSeconds() + 600 });
    await aging(old);
    clock += 4_000;
    await aging(old);
    expect(state.lookups).toBe(5);
    clock += 2_000; // iat + 20 s has passed: verified afresh
    await aging(old);
    expect(state.lookups).toBe(6);
  });

  it('does not cache failures, and can be turned off', async () => {
    const { state, counted } = counting();
    const verify = createTokenVerifier(jwtConfig(), counted);
    const bad = sign({ iss: 'someone-else' });
    await expect(verify(bad)).rejects.toBeInstanceOf(AuthError);
    await expect(verify(bad)).rejects.toBeInstanceOf(AuthError);
    expect(state.lookups).toBe(2);

    const off = counting();
    const uncached = createTokenVerifier(jwtConfig({ JWT_VERIFY_CACHE_SECONDS: '0' }), off.counted);
    const token = sign();
    await uncached(token);
    await uncached(token);
    expect(off.state.lookups).toBe(2);
  });
});
