/**
 * Extracts the one bearer token of a request. Strict on shape (exactly one Authorization header,
 * `Bearer <token>` with a single token), lenient only where RFC 7235 says so: the scheme name is
 * case-insensitive, so `bearer x` is accepted.
 */
import { AuthError } from './auth-error.js';

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** @param rawHeaders Node's raw header list, used to detect duplicated Authorization headers that Node would silently collapse. */
export function extractBearerToken(authorization: string | undefined, rawHeaders: readonly string[]): string {
  const count = rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'authorization').length;
  if (count > 1) throw new AuthError('multiple_tokens', 'more than one Authorization header was sent');
  if (authorization === undefined || authorization.trim() === '') {
    throw new AuthError('missing_token', 'an Authorization: Bearer <token> header is required');
  }
  return parseBearerValue(authorization);
}

/** Parses `Bearer <token>`; exported for callers that receive the header value some other way. */
export function parseBearerValue(value: string): string {
  const parts = value.trim().split(/\s+/);
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') {
    throw new AuthError('malformed_header', 'the Authorization header must use the Bearer scheme: "Bearer <token>"');
  }
  if (parts.length > 2 || value.includes(',')) {
    throw new AuthError('multiple_tokens', 'the Authorization header must carry exactly one token');
  }
  const token = parts[1]!;
  if (!TOKEN68.test(token)) throw new AuthError('malformed_header', 'the bearer token contains characters a JWT cannot have');
  return token;
}
