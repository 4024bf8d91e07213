/**
 * The leases of one process's runs (see lease-store.ts): taken when a run starts executing, renewed
 * every third of the lease while it executes (one UPDATE for all of them), released when it stops.
 * A renewal that finds a lease gone (another process claimed it after this one failed to renew in
 * time) reports it as lost, so the local execution stops instead of running twice. Claims of
 * expired leases are compare-and-set in the store: exactly one process wins each.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunLease, RunLeaseStore } from './lease-store.js';

export interface RunLeasesOptions {
  store: RunLeaseStore;
  /** How long a lease holds without renewal (RUN_LEASE_SECONDS). */
  leaseMs: number;
  now?: () => number;
  warn?: (msg: string) => void;
}

export class RunLeases {
  /** This process (and app instance): host, pid and a random part, so two apps in one process differ. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly leaseMs: number;
  private readonly held = new Set<string>();
  /** Leases given up while the store was unavailable (see giveUpStale). */
  private readonly stale = new Set<string>();
  private readonly lostListeners: ((runId: string) => void)[] = [];
  private readonly now: () => number;
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(private readonly options: RunLeasesOptions) {
    this.leaseMs = options.leaseMs;
    this.now = options.now ?? Date.now;
  }

  /** Called with a run whose lease another process took over (its local execution must stop). */
  onLost(listener: (runId: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Takes the lease of a run this process is about to execute. Rejects when the store is unavailable. */
  async hold(runId: string, workspaceId: string, payload: string): Promise<void> {
    await this.options.store.hold({ runId, workspaceId, owner: this.owner, expiresAtMs: this.now() + this.leaseMs, payload });
    this.adopt(runId);
  }

  /** Keeps renewing a lease this process won by a claim. */
  adopt(runId: string): void {
    this.held.add(runId);
    this.heartbeat ??= setInterval(() => void this.renew(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** The run stopped executing here: the lease is deleted (if it cannot be, it is handed over at the next renewal). */
  async release(runId: string): Promise<void> {
    this.held.delete(runId);
    await this.options.store.release(runId, this.owner).catch((err: unknown) => {
      this.stale.add(runId);
      this.warn(`run lease ${runId} not released (handed over once the store answers): ${(err as Error).message}`);
    });
  }

  /** Gives leases up at once (shutdown, or a run whose end could not be recorded), so another process resumes or settles them now. */
  async handOver(runIds: readonly string[]): Promise<void> {
    for (const id of runIds) this.held.delete(id);
    if (runIds.length === 0) return;
    await this.options.store.handOver(runIds, this.owner).catch((err: unknown) => {
      for (const id of runIds) this.stale.add(id);
      this.warn(`run leases not handed over (retried once the store answers): ${(err as Error).message}`);
    });
  }

  /**
   * Leases this process gave up while the store was down are still its own there: renewed with the
   * others they would never expire and the run would look running forever. They are handed over at
   * the next renewal instead (a sweep then settles or resumes each).
   */
  private async giveUpStale(): Promise<void> {
    if (this.stale.size === 0) return;
    const ids = [...this.stale].filter((id) => !this.held.has(id));
    this.stale.clear();
    await this.handOver(ids);
  }

  /** The lease of a run, and whether it has expired (its owner is gone). */
  async lookup(runId: string): Promise<{ lease: RunLease; expired: boolean } | undefined> {
    const lease = await this.options.store.get(runId);
    return lease && { lease, expired: lease.expiresAtMs <= this.now() };
  }

  /** Claims one expired lease; undefined when it is not expired or another process won it. */
  claim(runId: string): Promise<RunLease | undefined> {
    const now = this.now();
    return this.options.store.claim(runId, this.owner, now, now + this.leaseMs);
  }

  /** Claims up to `limit` expired leases (the sweep); returns the ones this process won. */
  async claimExpired(limit: number): Promise<RunLease[]> {
    const won: RunLease[] = [];
    for (const lease of await this.options.store.expired(this.now(), limit)) {
      const claimed = await this.claim(lease.runId);
      if (claimed) won.push(claimed);
    }
    return won;
  }

  /** Stops renewing (the process is going away; whatever is still held expires on its own). */
  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** One renewal at a time: a slow store must not stack them up. */
  renew(): Promise<void> {
    this.renewing ??= this.renewHeld().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async renewHeld(): Promise<void> {
    await this.giveUpStale();
    if (this.held.size === 0) return;
    // Only runs held before the renewal can be judged by it (one taken meanwhile may not show yet).
    const before = [...this.held];
    try {
      const still = new Set(await this.options.store.renew(this.owner, this.now() + this.leaseMs));
      for (const runId of before) {
        if (still.has(runId) || !this.held.has(runId)) continue;
        this.held.delete(runId);
        for (const listener of this.lostListeners) listener(runId);
      }
    } catch (err) {
      this.warn(`run leases not renewed: ${(err as Error).message}`);
    }
  }

  private warn(msg: string): void {
    this.options.warn?.(msg);
  }
}
