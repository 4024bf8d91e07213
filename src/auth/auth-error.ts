/**
 * Why a token was refused. The reason codes are stable API: they appear in 401 bodies, in the
 * `aiops_auth_failures_total{reason}` metric and in audit rows, so clients and dashboards can rely on them.
 */
export const AUTH_FAILURE_REASONS = [
  'missing_token',
  'malformed_header',
  'multiple_tokens',
  'token_too_large',
  'malformed_token',
  'unsupported_algorithm',
  'unknown_key',
  'invalid_signature',
  'expired',
  'not_yet_valid',
  'token_too_old',
  'invalid_issued_at',
  'invalid_issuer',
  'invalid_audience',
  'invalid_claims',
  'invalid_token',
  'key_source_unavailable',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export class AuthError extends Error {
  /** 401 for a bad token; 503 when the key source (JWKS) cannot be reached, which is not the caller's fault. */
  readonly statusCode: 401 | 503;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.statusCode = reason === 'key_source_unavailable' ? 503 : 401;
  }
}
