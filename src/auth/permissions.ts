/**
 * The AIOps permission vocabulary. `aiops:admin` implies every other permission, but only inside
 * the token's own workspace: it never widens *which* workspace a caller may touch.
 */
import { z } from 'zod';

export const PERMISSIONS = ['aiops:read', 'aiops:analyze', 'aiops:remediate', 'aiops:admin'] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

const KNOWN = new Set<string>(PERMISSIONS);

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && KNOWN.has(value);
}

/** Keeps the known permission strings of a claim, in canonical order, and drops everything else. */
export function normalisePermissions(values: readonly unknown[]): Permission[] {
  const present = new Set(values.filter(isPermission));
  return PERMISSIONS.filter((p) => present.has(p));
}

/** True when `granted` satisfies `required` (admin satisfies everything). */
export function hasPermission(granted: readonly Permission[], required: Permission): boolean {
  return granted.includes('aiops:admin') || granted.includes(required);
}

/** The permissions a grant effectively confers, admin expanded. */
export function effectivePermissions(granted: readonly Permission[]): Permission[] {
  return granted.includes('aiops:admin') ? [...PERMISSIONS] : [...granted];
}
