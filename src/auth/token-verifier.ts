/**
 * Verifies a bearer JWT and returns the request's AuthContext. Order matters: cheap structural
 * checks first (size, shape, algorithm allow-list), then signature, then registered claims
 * (iss, aud, exp, nbf, iat age) by jose, then our claim contracts. Every failure is an AuthError
 * with a stable reason; no jose internals leak to callers.
 *
 * Strict by default: `aud` and `iat` are required. The opt-ins `JWT_REQUIRE_AUDIENCE=false` and
 * `JWT_REQUIRE_IAT=false` (for the seed's claim set) only waive the *presence* of a claim: a claim
 * that is present is checked exactly as in strict mode (a wrong `aud` is still refused), and a
 * token without `iat` must expire within `JWT_MAX_AGE_SECONDS`, so its life stays bounded.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { CONTROL_PLANE_AUDIENCE, type Config } from '../config.js';
import type { AuthContext } from './auth-context.js';
import { AuthError } from './auth-error.js';
import { mapClaims } from './token-claims.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export type TokenVerifier = (token: string) => Promise<AuthContext>;

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface TokenVerifierOptions {
  /** Clock (ms) for the verified-token cache; tests pin it. */
  now?: () => number;
}

export function createTokenVerifier(jwt: Config['jwt'], getKey: JWTVerifyGetKey, options: TokenVerifierOptions = {}): TokenVerifier {
  const verify = createUncachedVerifier(jwt, getKey);
  if (jwt.verifyCacheSeconds === 0) return verify;
  const cache = new VerifiedTokenCache(jwt.verifyCacheSeconds * 1000, VERIFIED_TOKENS_KEPT, options.now ?? Date.now);
  return async (token) => {
    const hit = cache.get(token);
    if (hit) return hit;
    const context = await verify(token);
    cache.set(token, context, validUntilMs(token, context, jwt));
    return context;
  };
}

/** Distinct tokens whose verification is remembered (a bounded map: the oldest go first). */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * When a verified token stops being acceptable: its expiry, and its age limit (`iat` + max age), with
 * the same clock tolerance the verification used. A token served from the cache is never accepted
 * later than a fresh verification would accept it.
 */
function validUntilMs(token: string, context: AuthContext, jwt: Config['jwt']): number {
  const tolerance = jwt.clockToleranceSeconds;
  let until = context.expiresAt + tolerance;
  const iat = (decodeJwt(token) as JWTPayload).iat;
  if (typeof iat === 'number') until = Math.min(until, iat + jwt.maxAgeSeconds + tolerance);
  return until * 1000;
}

function createUncachedVerifier(jwt: Config['jwt'], getKey: JWTVerifyGetKey): TokenVerifier {
  const allowed = new Set<string>(jwt.algorithms);
  const policy = {
    acceptInternalToken: jwt.audiences.includes(CONTROL_PLANE_AUDIENCE),
    internalTokenPermissions: jwt.internalTokenPermissions,
    internalTokenMaxLifetimeSeconds: jwt.internalTokenMaxLifetimeSeconds,
  };
  const strict = jwt.requireAudience && jwt.requireIssuedAt;

  return async (token) => {
    if (Buffer.byteLength(token) > jwt.maxTokenBytes) {
      throw new AuthError('token_too_large', `the token is larger than ${jwt.maxTokenBytes} bytes`);
    }
    if (!JWS_COMPACT.test(token)) throw new AuthError('malformed_token', 'the token is not a compact JWS (header.payload.signature)');
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AuthError('malformed_token', 'the token header cannot be decoded');
    }
    if (!alg || !allowed.has(alg)) {
      throw new AuthError(
        'unsupported_algorithm',
        `algorithm "${alg ?? 'missing'}" is not allowed (allowed: ${jwt.algorithms.join(', ')})`,
      );
    }

    // Which claims to demand. In the opt-in mode this looks at the not yet verified payload, which is
    // safe: jwtVerify checks the signature over these very bytes, and a present claim is always checked.
    let present: JWTPayload = {};
    if (!strict) {
      try {
        present = decodeJwt(token);
      } catch {
        throw new AuthError('malformed_token', 'the token payload cannot be decoded');
      }
    }
    const checkAudience = jwt.requireAudience || present.aud !== undefined;
    const checkIssuedAt = jwt.requireIssuedAt || present.iat !== undefined;
    const options: JWTVerifyOptions = {
      algorithms: [...jwt.algorithms],
      issuer: jwt.issuer,
      clockTolerance: jwt.clockToleranceSeconds,
      requiredClaims: checkIssuedAt ? ['exp', 'iat', 'sub'] : ['exp', 'sub'],
      ...(checkAudience ? { audience: [...jwt.audiences] } : {}),
      ...(checkIssuedAt ? { maxTokenAge: jwt.maxAgeSeconds } : {}),
    };

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, getKey, options));
    } catch (err) {
      throw toAuthError(err);
    }
    if (!checkIssuedAt) {
      // Without iat the token's age is unknown; bound its remaining life instead (same tolerance as the iat age check).
      const remaining = Number(payload.exp) - Math.floor(Date.now() / 1000);
      if (!(remaining <= jwt.maxAgeSeconds + jwt.clockToleranceSeconds)) {
        throw new AuthError('invalid_claims', `a token without "iat" must expire within JWT_MAX_AGE_SECONDS (${jwt.maxAgeSeconds} s)`);
      }
    }

    const mapped = mapClaims(payload, token, policy);
    if (!mapped.ok) throw new AuthError('invalid_claims', `invalid token claims: ${mapped.message}`);
    return mapped.context;
  };
}

function toAuthError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) {
    return err.claim === 'iat'
      ? new AuthError('token_too_old', 'the token was issued too long ago (iat older than the allowed age)')
      : new AuthError('expired', 'the token has expired');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new AuthError('invalid_issuer', err.reason === 'missing' ? 'the token has no issuer' : 'the token issuer is not accepted');
      case 'aud':
        return new AuthError(
          'invalid_audience',
          err.reason === 'missing' ? 'the token has no audience' : 'the token audience is not accepted',
        );
      case 'nbf':
        return new AuthError('not_yet_valid', 'the token is not valid yet (nbf is in the future)');
      case 'iat':
        if (err.reason !== 'missing') return new AuthError('invalid_issued_at', 'the token iat is in the future');
    }
    return new AuthError(
      'invalid_claims',
      err.reason === 'missing' ? `the token has no "${err.claim}" claim` : `invalid "${err.claim}" claim`,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError('invalid_signature', 'the token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new AuthError('unsupported_algorithm', 'the token algorithm is not allowed');
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new AuthError('malformed_token', 'the token is malformed');
  }
  return new AuthError('invalid_token', 'the token could not be verified');
}

/** What the composition root logs once at boot when an opt-in weakens token checks (empty when strict). */
export function relaxedTokenPolicyWarnings(jwt: Pick<Config['jwt'], 'requireAudience' | 'requireIssuedAt' | 'maxAgeSeconds'>): string[] {
  const warnings: string[] = [];
  if (!jwt.requireAudience) {
    warnings.push(
      'JWT_REQUIRE_AUDIENCE=false: tokens without an "aud" claim are accepted (a token with a wrong "aud" is still refused); ' +
        'a token minted for another service by the same issuer is accepted here',
    );
  }
  if (!jwt.requireIssuedAt) {
    warnings.push(
      `JWT_REQUIRE_IAT=false: tokens without an "iat" claim are accepted when they expire within JWT_MAX_AGE_SECONDS (${jwt.maxAgeSeconds} s)`,
    );
  }
  return warnings;
}
