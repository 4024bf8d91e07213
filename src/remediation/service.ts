/**
 * The remediation life cycle, the one place that changes a remediation:
 *   propose → pending_approval → approve → approved → running → completed | failed
 *                              → reject → rejected;  cancel → cancelled;  past expires_at → expired.
 * Every change is a compare-and-set in the shared store and an audit event. Approval is refused
 * unless the approver holds aiops:remediate in the remediation's workspace (and, in four-eyes mode,
 * is not the requester); execution takes a lock per target and one unit of the workspace's hourly
 * budget. Every remediation executes here, once, on whichever replica takes the approval; then the
 * decision and its outcome are published (decisions.ts), which resumes the analysis runs that
 * proposed it (subscribed in the composition root): the flow goes one way, nothing calls back.
 *
 * One pending remediation per target: a proposal touching a target that a pending remediation
 * already touches joins it (counted, its source and proposer recorded, audited as `joined`) instead
 * of adding a second one for the approver to choose between; and a workspace has at most
 * `maxPending` pending remediations (429 beyond). Both are decided inside one store transaction per
 * workspace, so they hold across replicas. Free text and parameter strings are redacted
 * (src/audit/redact.ts) before anything is planned or stored.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ActionType } from '../analysis/types.js';
import type { AuditLog } from '../audit/event.js';
import { redactString } from '../audit/redact.js';
import type { AuthContext } from '../auth/auth-context.js';
import { hasPermission } from '../auth/permissions.js';
import { actionProblems, maxRisk, planStep, type ActionLimits } from './actions.js';
import type { RemediationDecision, RemediationDecisions } from './decisions.js';
import { RemediationError } from './errors.js';
import { executePlan, type ControlPlaneWriter } from './execute-plan.js';
import type { ExecutionBudget, TargetLocks } from './guards.js';
import { redactRequest, runIdsOf, sameSubject, targetsOf, withProposal } from './proposals.js';
import type { RemediationStore, StoredRemediation } from './store.js';
import {
  RemediationRequestSchema,
  type PlanStep,
  type Remediation,
  type RemediationRequest,
  type RemediationSource,
  type StepResult,
} from './types.js';

export interface RemediationPolicy extends ActionLimits {
  approvalTtlMs: number;
  /** The approver must not be the requester (nor anyone whose proposal joined), and approval is never waived except for pure dry runs. */
  fourEyes: boolean;
  /** Pending remediations a workspace may have at once (a proposal beyond: 429). */
  maxPending: number;
  /** Action types an admin may run without approval (`approval_required: false`). */
  autoApproveActions: readonly ActionType[];
  /**
   * A target lock's lifetime without renewal: its holder renews it while it executes, so this is how
   * long a target stays locked after its holder died.
   */
  lockTtlMs: number;
  /** A `running` remediation not updated for this long had its executor die (covers the slowest step). Default 2 × lockTtlMs. */
  interruptedAfterMs?: number;
}

export interface RemediationServiceDeps {
  store: RemediationStore;
  locks: TargetLocks;
  budget: ExecutionBudget;
  audit: AuditLog;
  controlPlane?: ControlPlaneWriter;
  policy: RemediationPolicy;
  now: () => number;
  /** Where decisions and outcomes are published (absent: nobody listens, e.g. in unit tests). */
  decisions?: RemediationDecisions;
}

export interface ProposeOptions {
  source: RemediationSource;
  idempotencyKey?: string;
  requestId?: string;
}

export class RemediationService {
  constructor(private readonly d: RemediationServiceDeps) {}

  /**
   * A new pending remediation (`created`), or an existing one: the same request or Idempotency-Key
   * again, or (`joined`) a pending remediation on the same target, which this proposal now counts in.
   */
  async propose(
    auth: AuthContext,
    request: RemediationRequest,
    options: ProposeOptions,
  ): Promise<{ created: boolean; joined?: boolean; remediation: Remediation }> {
    // API callers need aiops:remediate; an analysis or a chat only *proposes* (what propose_remediation allows).
    requirePermission(auth, options.source.kind === 'api' ? 'aiops:remediate' : 'aiops:analyze', 'propose a remediation');
    const parsed = RemediationRequestSchema.safeParse(request);
    if (!parsed.success)
      throw new RemediationError(
        'invalid',
        'invalid_request',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      );
    const body = redactRequest(parsed.data);
    const problems = body.actions.flatMap((a, i) =>
      actionProblems(a, this.d.policy).map((p) => `actions[${i}] (${a.action_type} ${a.target_resource}): ${p}`),
    );
    if (problems.length > 0) throw new RemediationError('invalid', 'invalid_action', problems.join('; '), { problems });
    if (!body.approval_required) this.checkApprovalWaiver(auth, body.actions);

    const plan = body.actions.map(planStep);
    const now = this.d.now();
    const doc: Remediation = {
      id: randomUUID(),
      workspace_id: auth.workspaceId,
      status: 'pending_approval',
      issue_id: body.issue_id ?? null,
      source: options.source,
      requested_by: auth.sub,
      requested_at: iso(now),
      proposal_count: 1,
      proposals: [{ source: options.source, requested_by: auth.sub, requested_at: iso(now) }],
      approval_required: body.approval_required,
      reason: body.reason ?? null,
      plan,
      dry_run_result: this.dryRun(plan),
      risk: maxRisk(...plan.map((s) => s.risk)),
      expires_at: iso(now + this.d.policy.approvalTtlMs),
      decision: null,
      results: [],
      error: null,
      updated_at: iso(now),
    };
    const keys = {
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      dedupeKey: dedupeKey(auth, options.source, body),
    };
    // Only a remediation that will wait for a human joins others or counts against the cap (a waived one runs now).
    const admission = await this.d.store.inWorkspaceTransaction(auth.workspaceId, async (tx) => {
      const existing = await tx.findByKeys(auth.workspaceId, keys);
      if (existing) return { kind: 'existing' as const, record: existing };
      if (body.approval_required) {
        const pending = await tx.pendingIn(auth.workspaceId, now, PENDING_SCAN_LIMIT);
        let stillPending = pending.length;
        const targets = new Set(targetsOf(plan));
        for (const other of pending.filter((p) => targetsOf(p.doc.plan).some((t) => targets.has(t)))) {
          const joined = withProposal(other.doc, doc.proposals[0]!, now);
          if (await tx.update(auth.workspaceId, other.doc.id, other.version, joined)) {
            return { kind: 'joined' as const, record: { doc: joined, version: other.version + 1 } };
          }
          stillPending--; // decided or expired meanwhile: it is no longer pending, so nothing to join
        }
        if (stillPending >= this.d.policy.maxPending) return { kind: 'full' as const, pending };
      }
      const inserted = await tx.insert(doc, keys);
      return inserted.created
        ? { kind: 'created' as const, record: inserted.record }
        : { kind: 'existing' as const, record: inserted.record };
    });
    switch (admission.kind) {
      case 'existing':
        return { created: false, remediation: (await this.refresh(admission.record)).doc };
      case 'joined':
        await this.record(auth, admission.record.doc, 'joined', {
          action: summary(plan),
          by: auth.sub,
          source: options.source,
          requestId: options.requestId,
        });
        return { created: false, joined: true, remediation: admission.record.doc };
      case 'full': {
        const soonest = Math.min(...admission.pending.map((p) => Date.parse(p.doc.expires_at)));
        const { maxPending } = this.d.policy;
        throw new RemediationError(
          'limited',
          'limit_exceeded',
          `this workspace already has ${admission.pending.length} remediations awaiting approval (the limit is ${maxPending}): approve, reject or cancel one first`,
          { limit: 'pending_remediations', max: maxPending },
          // A slot frees at the latest when the oldest pending one expires.
          Math.max(1, Math.ceil((soonest - now) / 1000)),
        );
      }
      case 'created':
        break;
    }
    await this.record(auth, doc, 'proposed', { action: summary(plan), requestId: options.requestId });
    if (body.approval_required) this.d.decisions?.announceProposed(doc);
    if (!body.approval_required)
      return {
        created: true,
        remediation: await this.approve(auth, doc.id, { comment: 'approval waived', requestId: options.requestId, waived: true }),
      };
    return { created: true, remediation: doc };
  }

  async get(auth: AuthContext, id: string): Promise<Remediation | undefined> {
    const record = await this.d.store.get(auth.workspaceId, id);
    return record ? (await this.refresh(record)).doc : undefined;
  }

  async list(auth: AuthContext, filter: { status?: string; limit: number }): Promise<Remediation[]> {
    const records = await this.d.store.list(auth.workspaceId, filter);
    const fresh = await Promise.all(records.map((r) => this.refresh(r)));
    return fresh.map((r) => r.doc).filter((doc) => !filter.status || doc.status === filter.status);
  }

  /**
   * Expires every pending remediation whose approval window has closed (run periodically on every
   * replica: the compare-and-set makes concurrent sweeps harmless), so the `expired` audit event and
   * the closing of an analysis run happen on time, not when someone next reads it. Returns how many.
   */
  async expireDue(limit = 100): Promise<number> {
    const due = await this.d.store.pendingExpiredBefore(this.d.now(), limit);
    const done = await Promise.all(due.map((r) => this.refresh(r)));
    return done.filter((r) => r.doc.status === 'expired').length;
  }

  async approve(
    auth: AuthContext,
    id: string,
    options: { comment?: string; requestId?: string; waived?: boolean } = {},
  ): Promise<Remediation> {
    requirePermission(auth, 'aiops:remediate', 'approve a remediation');
    const interrupted = await this.approvedNotStarted(auth, id);
    const current = interrupted ?? (await this.pending(auth, id));
    // Subjects compare normalised: `Alice` (or `ａｌｉｃｅ`) approving alice's request is still alice.
    if (
      !interrupted &&
      this.d.policy.fourEyes &&
      !options.waived &&
      current.doc.proposals.some((p) => sameSubject(p.requested_by, auth.sub))
    ) {
      throw new RemediationError('denied', 'four_eyes', 'four-eyes mode: the approver must be someone other than whoever proposed it');
    }
    const lock = await this.d.locks.acquire(
      current.doc.plan.filter((s) => !s.dry_run).map((s) => `${auth.workspaceId}/${s.namespace ?? ''}/${s.target_resource}`),
      this.d.policy.lockTtlMs,
    );
    if ('held' in lock)
      throw new RemediationError(
        'conflict',
        'target_locked',
        `another remediation is running on ${lock.held.split('/').slice(2).join('/')}: try again when it has finished`,
      );
    const decision = interrupted
      ? { ...interrupted.doc.decision!, decision: 'approved' as const }
      : decisionOf('approved', auth, this.d.now(), options.comment);
    let execution: { doc: Remediation; executed: boolean };
    try {
      if (!interrupted) {
        if (current.doc.plan.some((s) => s.executable && !s.dry_run)) {
          const budget = await this.d.budget.take(auth.workspaceId);
          if (!budget.ok)
            throw new RemediationError(
              'limited',
              'execution_rate_limited',
              'this workspace has used its remediation executions for this hour',
              {},
              budget.retryAfterSeconds,
            );
        }
        const approved = await this.change(current, { status: 'approved', decision }, 'decided');
        await this.record(auth, approved.doc, 'approved', {
          action: summary(approved.doc.plan),
          by: auth.sub,
          requestId: options.requestId,
        });
      }
      execution = await this.executeOnce(auth, id, options.requestId);
    } finally {
      await lock.release();
    }
    // Only the approval that executed it tells the runs, after the lock is released (resuming them touches no target).
    if (execution.executed) await this.publish(auth, execution.doc, decision);
    return execution.doc;
  }

  /**
   * The remediation when its approval was recorded but its execution never started (a store outage
   * between the two answered the approver 503, "retry"): the approver's retry then continues from the
   * recorded decision — without it the remediation would stay `approved`, never executed. Only the
   * approver may continue (the control plane acts as them); anyone else gets the usual 409.
   */
  private async approvedNotStarted(auth: AuthContext, id: string): Promise<StoredRemediation | undefined> {
    const record = await this.d.store.get(auth.workspaceId, id);
    const doc = record?.doc;
    return doc?.status === 'approved' && doc.decision && sameSubject(doc.decision.by, auth.sub) ? record : undefined;
  }

  async reject(auth: AuthContext, id: string, options: { comment?: string; requestId?: string } = {}): Promise<Remediation> {
    requirePermission(auth, 'aiops:remediate', 'reject a remediation');
    const current = await this.pending(auth, id);
    const decision = decisionOf('rejected', auth, this.d.now(), options.comment);
    const rejected = await this.change(current, { status: 'rejected', decision }, 'decided');
    await this.record(auth, rejected.doc, 'rejected', { action: summary(rejected.doc.plan), by: auth.sub, requestId: options.requestId });
    await this.publish(auth, rejected.doc, decision);
    return rejected.doc;
  }

  /** The requester (or an admin) withdraws a remediation nobody has decided on yet. */
  async cancel(auth: AuthContext, id: string, options: { comment?: string; requestId?: string } = {}): Promise<Remediation> {
    const current = await this.pending(auth, id);
    if (!sameSubject(current.doc.requested_by, auth.sub) && !hasPermission(auth.permissions, 'aiops:admin')) {
      throw new RemediationError('denied', 'not_requester', 'only the requester or an admin can cancel a remediation');
    }
    const decision = decisionOf('cancelled', auth, this.d.now(), options.comment);
    const cancelled = await this.change(current, { status: 'cancelled', decision }, 'decided');
    await this.record(auth, cancelled.doc, 'cancelled', {
      action: summary(cancelled.doc.plan),
      by: auth.sub,
      requestId: options.requestId,
    });
    return cancelled.doc;
  }

  /**
   * Runs an approved remediation once: only the caller that moves it from approved to running
   * executes; everyone else gets the remediation as it is. Read afresh from the store, so an
   * approval continued by its approver's retry executes what the store holds.
   */
  private async executeOnce(auth: AuthContext, id: string, requestId?: string): Promise<{ doc: Remediation; executed: boolean }> {
    const record = await this.d.store.get(auth.workspaceId, id);
    if (!record) throw new RemediationError('not_found', 'not_found', `no remediation ${id} in this workspace`);
    if (record.doc.status !== 'approved') return { doc: record.doc, executed: false };
    let running: StoredRemediation;
    try {
      running = await this.change(record, { status: 'running' }, 'claimed');
    } catch (err) {
      if (err instanceof RemediationError && err.kind === 'conflict')
        return { doc: (await this.d.store.get(auth.workspaceId, id))!.doc, executed: false };
      throw err;
    }
    await this.record(auth, running.doc, 'running', { action: summary(running.doc.plan), by: auth.sub, requestId });
    const results = await executePlan(running.doc.plan, {
      workspaceId: auth.workspaceId,
      remediationId: id,
      userToken: auth.rawToken,
      ...(this.d.controlPlane ? { controlPlane: this.d.controlPlane } : {}),
      onStep: (r, step) =>
        this.record(auth, running.doc, r.status === 'failed' ? 'failed' : 'executed', {
          action: step.description,
          result: `${r.status}: ${r.message}`,
          dryRun: step.dry_run,
          requestId,
        }),
    });
    const failure = results.find((r) => r.status === 'failed');
    const done = await this.change(
      running,
      { status: failure ? 'failed' : 'completed', results, error: failure ? failure.message : null },
      'finished',
    );
    await this.record(auth, done.doc, failure ? 'failed' : 'completed', {
      action: summary(done.doc.plan),
      result: outcome(results),
      requestId,
    });
    return { doc: done.doc, executed: true };
  }

  private checkApprovalWaiver(auth: AuthContext, actions: { action_type: ActionType; dry_run: boolean }[]): void {
    if (actions.every((a) => a.dry_run)) return;
    if (this.d.policy.fourEyes) {
      // An admin's waiver would be one person acting alone, which is what four-eyes mode forbids.
      throw new RemediationError(
        'denied',
        'approval_required',
        'four-eyes mode (REMEDIATION_FOUR_EYES): approval_required: false is honoured only when every action is a dry run; a second person must approve anything else',
      );
    }
    const notAllowed = actions
      .filter((a) => !a.dry_run && !this.d.policy.autoApproveActions.includes(a.action_type))
      .map((a) => a.action_type);
    if (!hasPermission(auth.permissions, 'aiops:admin')) {
      throw new RemediationError(
        'denied',
        'approval_required',
        'approval_required: false is honoured only for dry runs, or for admins for the action types REMEDIATION_AUTO_APPROVE_ACTIONS lists',
      );
    }
    if (notAllowed.length > 0) {
      throw new RemediationError(
        'denied',
        'approval_required',
        `approval cannot be waived for ${[...new Set(notAllowed)].join(', ')}: REMEDIATION_AUTO_APPROVE_ACTIONS does not list ${notAllowed.length === 1 ? 'it' : 'them'}`,
      );
    }
  }

  private dryRun(plan: PlanStep[]): Remediation['dry_run_result'] {
    const checks = plan.map((s) => ({
      index: s.index,
      ok: true,
      message: !s.executable
        ? `valid; ${s.description} (no control-plane endpoint: a human applies it)`
        : this.d.controlPlane
          ? `valid; ${s.description} through the control plane`
          : `valid; but no control plane is configured (HEXABASE_API_URL), so it cannot be executed here`,
    }));
    const executable = plan.filter((s) => s.executable).length;
    return {
      ok: checks.every((c) => c.ok),
      checks,
      summary: `${plan.length} action(s) validated (${executable} through the control plane, ${plan.length - executable} by hand); nothing has been changed`,
    };
  }

  /** The remediation if it is still waiting for a decision; 404/409 otherwise. */
  private async pending(auth: AuthContext, id: string): Promise<StoredRemediation> {
    const record = await this.d.store.get(auth.workspaceId, id);
    if (!record) throw new RemediationError('not_found', 'not_found', `no remediation ${id} in this workspace`);
    const fresh = await this.refresh(record);
    if (fresh.doc.status !== 'pending_approval') {
      throw new RemediationError(
        'conflict',
        'not_pending',
        `remediation ${id} is ${fresh.doc.status.replace('_', ' ')}: only a pending remediation can be decided`,
        { status: fresh.doc.status },
      );
    }
    return fresh;
  }

  /** Applies time-based transitions: pending past its expiry → expired; running far past the lock → failed. */
  private async refresh(record: StoredRemediation): Promise<StoredRemediation> {
    const now = this.d.now();
    const { doc } = record;
    if (doc.status === 'pending_approval' && Date.parse(doc.expires_at) <= now) {
      try {
        const expired = await this.change(record, { status: 'expired', error: 'nobody approved it before it expired' }, 'expired');
        await this.record(systemAuth(doc), expired.doc, 'expired', { action: summary(doc.plan) });
        // Runs waiting at their gate for this remediation are closed as rejected, so they do not wait forever.
        const decision = {
          decision: 'rejected' as const,
          by: 'system:expiry',
          at: iso(now),
          comment: 'the remediation expired before anyone approved it',
        };
        await this.publish(systemAuth(doc), doc, decision);
        return expired;
      } catch {
        return (await this.d.store.get(doc.workspace_id, doc.id)) ?? record;
      }
    }
    if (doc.status === 'running' && Date.parse(doc.updated_at) + (this.d.policy.interruptedAfterMs ?? 2 * this.d.policy.lockTtlMs) <= now) {
      try {
        const message =
          'the execution was interrupted (the service stopped during it): check the control plane for which steps were applied';
        const failed = await this.change(record, { status: 'failed', error: message }, 'interrupted');
        await this.record(systemAuth(doc), failed.doc, 'failed', { action: summary(doc.plan), result: message });
        // Its runs were waiting for the outcome of the approval that was cut short: this is it.
        if (doc.decision?.decision === 'approved')
          await this.publish(systemAuth(doc), failed.doc, { ...doc.decision, decision: 'approved' });
        return failed;
      } catch {
        return (await this.d.store.get(doc.workspace_id, doc.id)) ?? record;
      }
    }
    return record;
  }

  /** Announces a decision (and, when approved, its outcome) to the listeners: the runs that proposed or joined it resume with it. */
  private async publish(auth: AuthContext, doc: Remediation, decision: RemediationDecision): Promise<void> {
    await this.d.decisions?.publish({
      auth,
      remediationId: doc.id,
      runIds: runIdsOf(doc),
      decision,
      ...(decision.decision === 'approved' ? { outcome: { status: doc.status, error: doc.error, results: doc.results } } : {}),
    });
  }

  private async change(record: StoredRemediation, patch: Partial<Remediation>, what: string): Promise<StoredRemediation> {
    const doc: Remediation = { ...record.doc, ...patch, updated_at: iso(this.d.now()) };
    if (!(await this.d.store.update(doc.workspace_id, doc.id, record.version, doc))) {
      const now = await this.d.store.get(doc.workspace_id, doc.id);
      throw new RemediationError(
        'conflict',
        'conflict',
        `remediation ${doc.id} changed while it was being ${what}: it is now ${now?.doc.status ?? 'gone'}`,
        { status: now?.doc.status },
      );
    }
    return { doc, version: record.version + 1 };
  }

  private record(
    auth: AuthContext,
    doc: Remediation,
    state: 'proposed' | 'joined' | 'approved' | 'rejected' | 'running' | 'executed' | 'completed' | 'failed' | 'expired' | 'cancelled',
    extra: { action: string; by?: string; result?: string; dryRun?: boolean; requestId?: string | undefined; source?: RemediationSource },
  ): Promise<void> {
    return this.d.audit.record({
      event_type: 'remediation',
      user_id: auth.sub,
      workspace_id: doc.workspace_id,
      organization_id: auth.orgIds[0] ?? '',
      resource_id: doc.id,
      initiated_by: auth.sub.startsWith('system:')
        ? 'system'
        : (state === 'proposed' || state === 'joined') && (extra.source ?? doc.source).kind !== 'api'
          ? 'AIOpsAgent'
          : 'user',
      ...(extra.requestId ? { request_id: extra.requestId } : {}),
      details: {
        remediation_id: doc.id,
        state,
        action: extra.action.slice(0, 256),
        ...(extra.by ? { by: extra.by } : {}),
        ...(extra.dryRun !== undefined ? { dry_run: extra.dryRun } : {}),
        ...(extra.result ? { result: extra.result.slice(0, 4000) } : {}),
      },
    });
  }
}

function requirePermission(auth: AuthContext, permission: 'aiops:remediate' | 'aiops:analyze', what: string): void {
  if (!hasPermission(auth.permissions, permission)) {
    throw new RemediationError('denied', 'missing_scope', `${permission} is required to ${what}`, { required_scope: permission });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Most pending remediations of a workspace read when admitting a proposal (the cap keeps them far fewer). */
const PENDING_SCAN_LIMIT = 1000;

function decisionOf<D extends 'approved' | 'rejected' | 'cancelled'>(decision: D, auth: AuthContext, nowMs: number, comment?: string) {
  return { decision, by: auth.sub, at: iso(nowMs), ...(comment ? { comment: redactString(comment) } : {}) };
}

const summary = (plan: readonly PlanStep[]) => plan.map((s) => s.description).join('; ');
const outcome = (results: readonly StepResult[]) => results.map((r) => `#${r.index} ${r.status}`).join(', ');

function dedupeKey(auth: AuthContext, source: RemediationSource, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([auth.sub, source, body]))
    .digest('hex');
}

function systemAuth(doc: Remediation): AuthContext {
  return {
    sub: 'system:expiry',
    workspaceId: doc.workspace_id,
    permissions: [],
    planType: 'shared',
    orgIds: [],
    tokenType: 'aiops-contract',
    expiresAt: 0,
    rawToken: '',
  };
}
