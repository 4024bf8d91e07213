/**
 * The two token contracts we accept, as zod schemas over an already signature-checked payload,
 * and their mapping to the one AuthContext every layer uses.
 *
 * - The AIOps contract (the seed's README): `sub`, `workspace_id`, `permissions`, `plan_type`.
 * - The token the Hexabase control plane really issues today (`token_type: internal-aiops-v1`,
 *   `active_workspace_id`, audience `hexabase-aiops-service`), which carries no permissions: it is
 *   granted exactly the configured `internalTokenPermissions`.
 */
import { z } from 'zod';
import { CONTROL_PLANE_AUDIENCE } from '../config.js';
import type { AuthContext } from './auth-context.js';
import { normalisePermissions, type Permission } from './permissions.js';

/** Workspace ids end up in URL paths, PromQL label matchers and SQL parameters: keep them plain. */
export const WorkspaceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 characters of letters, digits, "_", ".", ":" or "-"');

/**
 * The latest second a JavaScript Date can hold is 8.64e15 ms; we stop at the end of year 9999, far
 * below it. jose checks `exp`/`nbf`/`iat` only as "a number", so `exp: 1e300` (or 1e309, which JSON
 * parses to Infinity) passed and later broke every `new Date(exp * 1000)`: refused here instead.
 * Fractions are allowed (RFC 7519 §2 NumericDate); negative values are not.
 */
export const MAX_NUMERIC_DATE = 253_402_300_799;
const NumericDateSchema = z.number().min(0, 'must be a date after 1970').max(MAX_NUMERIC_DATE, 'must be a date before the year 10000');

/** Identifiers are bounded like the audit columns that store them (a longer one could not be audited: 401, not 503). */
const MAX_ID_LENGTH = 256;
const BoundedId = z.string().max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);

const common = {
  sub: BoundedId.min(1, 'must be a non-empty string'),
  exp: NumericDateSchema,
  iat: NumericDateSchema.optional(),
  nbf: NumericDateSchema.optional(),
  jti: BoundedId.optional(),
};

const ContractClaimsSchema = z.object({
  ...common,
  workspace_id: WorkspaceIdSchema,
  // Unknown permission strings are ignored (forward compatibility); a non-array is an error.
  permissions: z.array(z.unknown()),
  plan_type: z.enum(['shared', 'dedicated']),
  org_id: BoundedId.optional(),
});

export const INTERNAL_TOKEN_TYPE = 'internal-aiops-v1';

const InternalClaimsSchema = z.object({
  ...common,
  // The control plane always sets both; they are required here whatever JWT_REQUIRE_AUDIENCE/_IAT say.
  iat: NumericDateSchema,
  aud: z
    .union([z.string(), z.array(z.string())])
    .refine((aud) => [aud].flat().includes(CONTROL_PLANE_AUDIENCE), `must include "${CONTROL_PLANE_AUDIENCE}"`),
  token_type: z.literal(INTERNAL_TOKEN_TYPE),
  active_workspace_id: WorkspaceIdSchema,
  org_ids: z.array(z.string()).optional(),
});

export type ClaimsResult = { ok: true; context: AuthContext } | { ok: false; message: string };

export interface ClaimsPolicy {
  /** Whether the control-plane token is accepted at all (its audience is configured). */
  acceptInternalToken: boolean;
  internalTokenPermissions: readonly Permission[];
  /**
   * The control plane issues its token for 10 s (`exp = iat + 10`). A longer-lived token with that
   * type was not minted by it (or was minted by a compromised or misconfigured issuer): refused.
   * Both times come from the issuer's clock, so no clock tolerance applies to their difference.
   */
  internalTokenMaxLifetimeSeconds: number;
}

export function mapClaims(payload: Record<string, unknown>, rawToken: string, policy: ClaimsPolicy): ClaimsResult {
  if (payload.token_type !== undefined) {
    if (payload.token_type !== INTERNAL_TOKEN_TYPE) return { ok: false, message: 'unsupported token_type' };
    if (!policy.acceptInternalToken) {
      return { ok: false, message: 'control-plane internal tokens are not accepted by this deployment (JWT_AUDIENCE)' };
    }
    const parsed = InternalClaimsSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, message: describe(parsed.error) };
    const c = parsed.data;
    const lifetime = c.exp - c.iat;
    if (lifetime > policy.internalTokenMaxLifetimeSeconds) {
      return {
        ok: false,
        message:
          `an ${INTERNAL_TOKEN_TYPE} token may live at most ${policy.internalTokenMaxLifetimeSeconds} s ` +
          `(JWT_INTERNAL_TOKEN_MAX_LIFETIME_SECONDS); this one lives ${lifetime} s (exp - iat)`,
      };
    }
    return {
      ok: true,
      context: {
        sub: c.sub,
        workspaceId: c.active_workspace_id,
        permissions: normalisePermissions(policy.internalTokenPermissions),
        planType: 'shared', // the internal token does not say; the plan is looked up when it matters
        orgIds: c.org_ids ?? [],
        tokenType: INTERNAL_TOKEN_TYPE,
        expiresAt: c.exp,
        ...(c.jti ? { jti: c.jti } : {}),
        rawToken,
      },
    };
  }
  const parsed = ContractClaimsSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, message: describe(parsed.error) };
  const c = parsed.data;
  return {
    ok: true,
    context: {
      sub: c.sub,
      workspaceId: c.workspace_id,
      permissions: normalisePermissions(c.permissions),
      planType: c.plan_type,
      orgIds: c.org_id ? [c.org_id] : [],
      tokenType: 'aiops-contract',
      expiresAt: c.exp,
      ...(c.jti ? { jti: c.jti } : {}),
      rawToken,
    },
  };
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.join('.') || 'claims'}: ${i.code === 'invalid_type' && i.input === undefined ? 'missing' : i.message}`)
    .join('; ');
}
