import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { AuthError } from '../../../src/auth/auth-error.js';
import { parseBearerValue } from '../../../src/auth/bearer.js';
import { effectivePermissions, hasPermission, normalisePermissions, PERMISSIONS } from '../../../src/auth/permissions.js';
import { decide } from '../../../src/plugins/auth-guard.js';

const ctx = (permissions: AuthContext['permissions'], sub = 'u', workspaceId = 'ws-a'): AuthContext => ({
  sub,
  workspaceId,
  permissions,
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: 0,
  rawToken: 't',
});

describe('permissions', () => {
  it('keeps known strings in canonical order and drops the rest', () => {
    expect(normalisePermissions(['aiops:remediate', 'x', 3, null, 'aiops:read', 'aiops:read'])).toEqual(['aiops:read', 'aiops:remediate']);
  });
  it('admin implies every permission, nothing else implies another', () => {
    for (const p of PERMISSIONS) expect(hasPermission(['aiops:admin'], p)).toBe(true);
    expect(hasPermission(['aiops:analyze'], 'aiops:read')).toBe(false);
    expect(hasPermission(['aiops:remediate'], 'aiops:analyze')).toBe(false);
    expect(effectivePermissions(['aiops:admin'])).toEqual([...PERMISSIONS]);
  });
});

describe('decide (the authorization rule)', () => {
  const none = new Set<string>();
  it('workspace mismatch beats every permission, admin included', () => {
    for (const p of PERMISSIONS)
      expect(decide(ctx([p]), 'aiops:read', 'ws-b', none)).toMatchObject({ allowed: false, reason: 'workspace_mismatch' });
  });
  it('missing scope is named', () => {
    expect(decide(ctx(['aiops:read']), 'aiops:remediate', 'ws-a', none)).toMatchObject({
      allowed: false,
      reason: 'missing_scope',
      message: expect.stringContaining('aiops:remediate'),
    });
  });
  it('cross-workspace reads only for allow-listed subjects, only for read routes', () => {
    const readers = new Set(['svc']);
    expect(decide(ctx(['aiops:read'], 'svc'), 'aiops:read', 'ws-b', readers)).toMatchObject({
      allowed: true,
      reason: 'cross_workspace_read',
    });
    expect(decide(ctx(['aiops:admin'], 'svc'), 'aiops:analyze', 'ws-b', readers)).toMatchObject({ allowed: false });
    expect(decide(ctx(['aiops:analyze'], 'svc'), 'aiops:read', 'ws-b', readers)).toMatchObject({ allowed: false });
  });
});

describe('parseBearerValue', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def.ghi  ', 'abc.def.ghi'],
  ])('%s', (value, token) => expect(parseBearerValue(value)).toBe(token));
  it.each([
    ['Token abc', 'malformed_header'],
    ['Bearer', 'malformed_header'],
    ['Bearer a b', 'multiple_tokens'],
    ['Bearer a,b', 'multiple_tokens'],
    ['Bearer a"b', 'malformed_header'],
  ])('%s → %s', (value, reason) => {
    try {
      parseBearerValue(value);
      throw new Error('expected an AuthError');
    } catch (err) {
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).reason).toBe(reason);
    }
  });
});
