/** Test doubles for tools: an AuthContext, a recording AuditLog, a ToolContext. */
import type { AuditEventInput, AuditLog } from '../../../src/audit/event.js';
import { AuditEventInputSchema } from '../../../src/audit/event.js';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import type { Permission } from '../../../src/auth/permissions.js';
import type { ToolContext } from '../../../tools/tool.js';

export class FakeAuditLog implements AuditLog {
  readonly events: AuditEventInput[] = [];
  failing = false;
  async record(event: AuditEventInput): Promise<void> {
    if (this.failing) throw new Error('spool full');
    AuditEventInputSchema.parse(event); // what the real log validates
    this.events.push(event);
  }
}

export function authFor(workspaceId: string, permissions: Permission[], sub = 'alice'): AuthContext {
  return {
    sub,
    workspaceId,
    permissions,
    planType: 'shared',
    orgIds: ['org-1'],
    tokenType: 'aiops-contract',
    expiresAt: 2_000_000_000,
    rawToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
  };
}

export function ctxFor(workspaceId: string, permissions: Permission[], extra: Partial<ToolContext> = {}): ToolContext {
  return { auth: authFor(workspaceId, permissions), requestId: 'req-1', runId: 'run-1', ...extra };
}
