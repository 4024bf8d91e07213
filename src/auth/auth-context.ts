import type { Permission } from './permissions.js';

/**
 * The verified identity of a request, built once by the token verifier and handed down to every
 * layer (routes → agents → tools). Nothing below the route layer re-reads headers.
 */
export interface AuthContext {
  /** Token subject: the user on whose behalf the request runs. */
  readonly sub: string;
  /** The one workspace this request is confined to. */
  readonly workspaceId: string;
  /** Granted permissions as they appear in the token (known values only, canonical order). */
  readonly permissions: readonly Permission[];
  readonly planType: 'shared' | 'dedicated';
  /** Organisation ids when the token names them. */
  readonly orgIds: readonly string[];
  /** Which token contract was presented. */
  readonly tokenType: 'aiops-contract' | 'internal-aiops-v1';
  /** Expiry as Unix seconds; always a representable date (0 … year 9999, checked by the claim schema). */
  readonly expiresAt: number;
  /** Token id when present, for audit correlation. */
  readonly jti?: string;
  /**
   * Set when an allow-listed internal subject reads another workspace: the token's own workspace.
   * `workspaceId` is then the workspace being read and `permissions` is reduced to `aiops:read`.
   */
  readonly crossWorkspaceFrom?: string;
  /** The raw bearer token, kept only to forward to the control plane as the user. */
  readonly rawToken: string;
}
