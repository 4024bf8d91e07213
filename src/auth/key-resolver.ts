/**
 * Turns the configured key source into jose's key-lookup function. JWKS keys are cached by jose
 * (refetched after `cacheMs`, and on an unknown `kid` once the cooldown has passed); a JWKS that
 * cannot be fetched is reported as `key_source_unavailable` (503), distinct from a bad token (401).
 */
import { createRemoteJWKSet, errors, importSPKI, importX509, type JWTVerifyGetKey } from 'jose';
import type { JwtAlgorithm, KeySource } from '../config.js';
import { AuthError } from './auth-error.js';

export interface KeyResolverOptions {
  algorithms: readonly JwtAlgorithm[];
  jwksCacheMs: number;
  jwksTimeoutMs?: number;
  /** Minimum time between JWKS refetches triggered by an unknown `kid` (a flood of bogus kids must not hammer the IdP). */
  jwksCooldownMs?: number;
}

export async function createKeyResolver(source: KeySource, options: KeyResolverOptions): Promise<JWTVerifyGetKey> {
  switch (source.kind) {
    case 'jwks':
      return remoteJwks(source.url, options);
    case 'pem':
      return staticPemKey(source.pem, options.algorithms);
    case 'secret': {
      const secret = new TextEncoder().encode(source.secret);
      return async () => secret;
    }
    case 'none':
      throw new Error('no JWT key configured: the composition root must supply a key source');
  }
}

function remoteJwks(url: string, options: KeyResolverOptions): JWTVerifyGetKey {
  const jwks = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: options.jwksCacheMs,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
        throw new AuthError('unknown_key', `no key in the JWKS matches this token${header.kid ? ` (kid "${header.kid}")` : ''}`);
      }
      throw new AuthError('key_source_unavailable', 'the token signing keys (JWKS) cannot be fetched right now; retry shortly');
    }
  };
}

/**
 * A PEM may be an SPKI public key or an X.509 certificate. jose binds an imported key to one
 * algorithm, so we import it once per allowed algorithm and pick by the token's `alg`.
 */
async function staticPemKey(pem: string, algorithms: readonly JwtAlgorithm[]): Promise<JWTVerifyGetKey> {
  const keys = new Map<string, Awaited<ReturnType<typeof importSPKI>>>();
  const failures: string[] = [];
  for (const alg of algorithms) {
    try {
      const key = pem.includes('CERTIFICATE') ? await importX509(pem, alg) : await importSPKI(pem, alg);
      keys.set(alg, key);
    } catch (err) {
      failures.push(`${alg}: ${(err as Error).message}`);
    }
  }
  if (keys.size === 0) throw new Error(`the configured PEM key cannot be used with ${algorithms.join(', ')} (${failures.join('; ')})`);
  return async (header) => {
    const key = keys.get(header.alg);
    if (!key) throw new AuthError('unsupported_algorithm', `algorithm "${header.alg}" does not match the configured key`);
    return key;
  };
}
