/**
 * What the remediation service announces once a remediation is decided — and, when approved,
 * executed: the one-way end of the approval flow. The service decides and executes (it alone holds
 * the target lock, the execution budget and the compare-and-set), then publishes here; whoever cares
 * (the analysis runs waiting at their approval gate) subscribes in the composition root. The service
 * never calls into its listeners' code, and a listener never executes anything.
 *
 * A listener that fails does not fail the decision (it is already recorded and executed): the error
 * goes to `onListenerError`, which logs and counts it. The remediation's own record stays the truth.
 */
import type { AuthContext } from '../auth/auth-context.js';
import type { Remediation, RemediationStatus, StepResult } from './types.js';

export interface RemediationDecision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment?: string;
}

/** What executing an approved remediation did, as its record has it. */
export interface RemediationOutcome {
  status: RemediationStatus;
  error: string | null;
  results: StepResult[];
}

export interface RemediationDecided {
  /** Who decided (`system:expiry` for an expiry or an interrupted execution): the identity a resumed run continues as. */
  auth: AuthContext;
  remediationId: string;
  /** The analysis runs that proposed (or joined) it, waiting at their approval gate. */
  runIds: string[];
  decision: RemediationDecision;
  /** Approved only: what the execution did. */
  outcome?: RemediationOutcome;
}

export type DecisionListener = (event: RemediationDecided) => Promise<void>;
/** Told when a new remediation waits for approval (notifications); not awaited, must not throw. */
export type ProposalListener = (remediation: Remediation) => void;

export class RemediationDecisions {
  private readonly listeners: DecisionListener[] = [];
  private readonly proposalListeners: ProposalListener[] = [];

  onProposed(listener: ProposalListener): void {
    this.proposalListeners.push(listener);
  }

  /** A new remediation awaits approval. */
  announceProposed(remediation: Remediation): void {
    for (const listener of this.proposalListeners) {
      try {
        listener(remediation);
      } catch {
        // a listener's own bug: the proposal stands
      }
    }
  }

  constructor(private readonly onListenerError: (err: unknown, event: RemediationDecided) => void) {}

  /** Registered by the composition root, before any request is served. */
  subscribe(listener: DecisionListener): void {
    this.listeners.push(listener);
  }

  /** Awaits every listener (an approval answers once its runs show the outcome); never rejects. */
  async publish(event: RemediationDecided): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
