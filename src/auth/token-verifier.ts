/**
 * Verifies a bearer JWT and returns the request's AuthContext. Order matters: cheap structural
 * checks first (size, shape, algorithm allow-list), then signature, then registered claims
 * (iss, aud, exp, nbf, iat age) by jose, then our claim contracts. Every failure is an AuthError
 * with a stable reason; no jose internals leak to callers.
 */
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { CONTROL_PLANE_AUDIENCE, type Config } from '../config.js';
import type { AuthContext } from './auth-context.js';
import { AuthError } from './auth-error.js';
import { mapClaims } from './token-claims.js';

export type TokenVerifier = (token: string) => Promise<AuthContext>;

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function createTokenVerifier(jwt: Config['jwt'], getKey: JWTVerifyGetKey): TokenVerifier {
  const allowed = new Set<string>(jwt.algorithms);
  const policy = {
    acceptInternalToken: jwt.audiences.includes(CONTROL_PLANE_AUDIENCE),
    internalTokenPermissions: jwt.internalTokenPermissions,
  };

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
      throw new AuthError('unsupported_algorithm', `algorithm "${alg ?? 'missing'}" is not allowed (allowed: ${jwt.algorithms.join(', ')})`);
    }

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms: [...jwt.algorithms],
        issuer: jwt.issuer,
        audience: [...jwt.audiences],
        clockTolerance: jwt.clockToleranceSeconds,
        maxTokenAge: jwt.maxAgeSeconds,
        requiredClaims: ['exp', 'iat', 'sub'],
      }));
    } catch (err) {
      throw toAuthError(err);
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
      case 'iss': return new AuthError('invalid_issuer', err.reason === 'missing' ? 'the token has no issuer' : 'the token issuer is not accepted');
      case 'aud': return new AuthError('invalid_audience', err.reason === 'missing' ? 'the token has no audience' : 'the token audience is not accepted');
      case 'nbf': return new AuthError('not_yet_valid', 'the token is not valid yet (nbf is in the future)');
      case 'iat': if (err.reason !== 'missing') return new AuthError('invalid_issued_at', 'the token iat is in the future');
    }
    return new AuthError('invalid_claims', err.reason === 'missing' ? `the token has no "${err.claim}" claim` : `invalid "${err.claim}" claim`);
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
