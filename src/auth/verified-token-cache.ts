/**
 * Remembers tokens this replica verified, so a client that sends the same bearer token on every
 * request (the console, an MCP client, a script) pays the RS256 signature check once per `ttlMs`
 * rather than once per request. Only successful verifications are kept, keyed by the exact token
 * string (a token cannot change by one bit and still hit), each until the earlier of `ttlMs` and the
 * moment a fresh verification would refuse it (expiry, age limit). Bounded: past `maxEntries` the
 * oldest entries go. A key rotation (JWKS) therefore takes at most `ttlMs` to reach tokens already
 * seen, which is what JWT_VERIFY_CACHE_SECONDS trades; 0 turns the cache off.
 */
import type { AuthContext } from './auth-context.js';

export class VerifiedTokenCache {
  private readonly entries = new Map<string, { context: AuthContext; untilMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(token: string): AuthContext | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.untilMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.context;
  }

  /** `validUntilMs`: when a fresh verification of this token would start refusing it. */
  set(token: string, context: AuthContext, validUntilMs: number): void {
    const untilMs = Math.min(this.now() + this.ttlMs, validUntilMs);
    if (untilMs <= this.now()) return;
    this.entries.delete(token);
    this.entries.set(token, { context, untilMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
