/**
 * The index of chat threads: who owns each thread (workspace + token subject), its title, times and
 * number of turns, and a short lease so one turn at a time runs on a thread, across replicas.
 *
 * Why a table and not checkpoint metadata: the conversation itself lives in the graph's checkpoints,
 * but listing "my threads" from them would mean `saver.list(undefined, {filter})`, which in both
 * @langchain/langgraph-checkpoint-postgres and -sqlite returns one row per *checkpoint* (a turn writes
 * several), loads every row's channel blobs and pending writes, cannot order by last activity or
 * page per thread, and has no atomic compare-and-set for the per-thread lease. A small table in the
 * same PostgreSQL database (or the same SQLite file) is one indexed query per list, one primary-key
 * lookup per ownership check, and an atomic UPDATE for the lease; every replica sees it.
 */

export interface ThreadRecord {
  thread_id: string;
  workspace_id: string;
  sub: string;
  title: string;
  /** Unix ms. */
  created_at: number;
  updated_at: number;
  turns: number;
}

export interface ThreadStore {
  /** Resolves when the store can be used (creates its table on first use; rejects while unreachable). */
  ensureReady(): Promise<void>;
  get(threadId: string): Promise<ThreadRecord | undefined>;
  /** Creates the thread holding the lease (`holder` until `leaseUntil`, Unix ms). */
  create(record: ThreadRecord, holder: string, leaseUntil: number): Promise<void>;
  /** Takes the lease when nobody holds it (or the holder's lease ran out); false when the thread is busy. */
  acquire(threadId: string, holder: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Gives the lease back, recording the turn when one completed. */
  release(threadId: string, holder: string, update: { updatedAt: number; turnCompleted: boolean }): Promise<void>;
  /** The caller's threads in the workspace, most recently active first. */
  list(workspaceId: string, sub: string, limit: number): Promise<ThreadRecord[]>;
}

/** A thread title from its first message: one line, at most 80 characters. */
export function titleFrom(message: string): string {
  const line = message
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
