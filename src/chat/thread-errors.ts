/**
 * Why a conversation cannot be used right now, said without HTTP: the one HTTP error table
 * (src/http/error-table.ts) answers ThreadNotFound 404 and ThreadBusy 409 with `Retry-After`.
 * An unavailable store is DependencyUnavailable 'chat_store'.
 */

/** The thread does not exist for this caller (another user's or workspace's is indistinguishable). */
export class ThreadNotFound extends Error {
  constructor(threadId: string) {
    super(`no chat thread ${threadId} for you in this workspace`);
    this.name = 'ThreadNotFound';
  }
}

/** Another turn is running on the thread (one turn at a time, across replicas). */
export class ThreadBusy extends Error {
  readonly reason = 'thread_busy';
  /** A turn usually ends within seconds: the caller waits for its `done` event or retries after this. */
  readonly retryAfterSeconds = 2;

  constructor(threadId: string) {
    super(`chat thread ${threadId} is answering another message; wait for its done event and send again`);
    this.name = 'ThreadBusy';
  }
}
